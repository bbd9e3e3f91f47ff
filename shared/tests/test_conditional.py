"""Conditional GET and HEAD: every GET document has a validator, If-None-Match turns a repeat
read into 304 without a body, HEAD mirrors GET; writes and errors pass untouched."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse, StreamingResponse

from municipal_shared.kit.conditional import ConditionalGetMiddleware, body_etag, none_match

DOCUMENT = {"municipality_code": "0580", "total": 344009}


def make_app(max_buffered: int = 1024) -> FastAPI:
    app = FastAPI()

    @app.get("/document")
    async def document() -> dict[str, object]:
        return DOCUMENT

    @app.get("/versioned")
    async def versioned(response: Response) -> dict[str, object]:
        response.headers["ETag"] = '"version-7-3"'  # the row version If-Match writes compare
        response.headers["Cache-Control"] = "private, no-cache"
        return DOCUMENT

    @app.get("/export.csv")
    async def export() -> StreamingResponse:
        async def rows() -> AsyncIterator[bytes]:
            for n in range(100):
                yield f"{n},{'x' * 30}\n".encode()

        return StreamingResponse(rows(), media_type="text/csv")

    @app.get("/missing")
    async def missing() -> JSONResponse:
        return JSONResponse({"title": "Not found"}, status_code=404)

    @app.post("/document")
    async def write() -> dict[str, str]:
        return {"ok": "yes"}

    app.add_middleware(ConditionalGetMiddleware, max_buffered=max_buffered)
    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=make_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://kit.test") as c:
        yield c


async def test_a_repeat_read_with_the_etag_is_304_without_a_body(
    client: httpx.AsyncClient,
) -> None:
    first = await client.get("/document")
    etag = first.headers["etag"]
    assert etag == body_etag(first.content)
    again = await client.get("/document", headers={"If-None-Match": etag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    assert "content-type" not in again.headers
    other = await client.get("/document", headers={"If-None-Match": '"something-else"'})
    assert (other.status_code, other.json()) == (200, DOCUMENT)


async def test_the_routes_own_etag_is_kept_and_matched_weakly(client: httpx.AsyncClient) -> None:
    first = await client.get("/versioned")
    assert first.headers["etag"] == '"version-7-3"'
    listed = await client.get("/versioned", headers={"If-None-Match": '"a", W/"version-7-3"'})
    assert listed.status_code == 304
    assert listed.headers["cache-control"] == "private, no-cache"
    assert (await client.get("/versioned", headers={"If-None-Match": "*"})).status_code == 304


async def test_head_mirrors_get_without_a_body(client: httpx.AsyncClient) -> None:
    get = await client.get("/document")
    head = await client.head("/document")
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == get.headers["content-length"]
    assert (await client.head("/missing")).status_code == 404
    assert (await client.head("/nowhere")).status_code == 404


async def test_errors_and_writes_pass_untouched(client: httpx.AsyncClient) -> None:
    missing = await client.get("/missing", headers={"If-None-Match": "*"})
    assert (missing.status_code, "etag" in missing.headers) == (404, False)
    write = await client.post("/document", headers={"If-None-Match": "*"})
    assert (write.status_code, "etag" in write.headers) == (200, False)


async def test_a_large_body_streams_through_without_a_digest(client: httpx.AsyncClient) -> None:
    export = await client.get("/export.csv")
    assert export.status_code == 200 and export.text.count("\n") == 100
    assert "etag" not in export.headers  # 3 kB over the 1 kB limit: not held
    head = await client.head("/export.csv")
    assert (head.status_code, head.content) == (200, b"")


def test_if_none_match_parsing() -> None:
    assert none_match('W/"a", "b"', '"b"') and none_match('"a"', 'W/"a"')
    assert not none_match(None, '"a"') and not none_match("", '"a"')
    assert not none_match('"ab"', '"a"')
