"""Request limits of every service app: body size (announced or streamed), JSON depth, text a
database cannot store and numbers that are not finite; each a problem naming the place."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, Body, FastAPI
from pydantic import Field

from municipal_shared.contracts.base import RequestModel
from municipal_shared.kit import limits
from municipal_shared.kit.app import create_service_app
from municipal_shared.kit.limits import body_errors, json_errors
from municipal_shared.kit.settings import AuthSettings, ServiceSettings
from municipal_shared.kit.testing import assert_problem

LIMIT, LARGER, DEPTH = 1000, 5000, 8
JSON = {"content-type": "application/json"}


class Note(RequestModel):
    text: str = Field(max_length=10_000)


def _app() -> FastAPI:
    router = APIRouter(tags=["test"])

    @router.post("/notes", operation_id="postNote")
    async def post_note(note: Note) -> dict[str, int]:
        return {"length": len(note.text)}

    @router.post("/documents", operation_id="postDocument")
    async def post_document(document: dict[str, Any] = Body()) -> dict[str, int]:
        return {"members": len(document)}

    @router.get("/search", operation_id="search")
    async def search(q: str = "") -> dict[str, str]:
        return {"q": q}

    @router.put("/documents", operation_id="putDocument")
    async def put_document(document: dict[str, Any] = Body()) -> dict[str, int]:
        return {"members": len(document)}

    return create_service_app(
        title="Limits",
        description="Kit test app",
        settings=ServiceSettings(max_body_bytes=LIMIT, max_json_depth=DEPTH),
        auth_settings=AuthSettings(),
        script_location="unused:migrations",
        version_table="unused",
        routers=[router],
        openapi_tags=[],
        body_limits={"postDocument": LARGER},
    )


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit.test") as c:
        yield c


def _note(size: int) -> bytes:
    """A JSON body of exactly `size` bytes."""
    body = json.dumps({"text": ""}).encode()
    return json.dumps({"text": "x" * (size - len(body))}).encode()


def _nested(levels: int) -> bytes:
    return b'{"a":' * (levels - 1) + b"[1]" + b"}" * (levels - 1)


async def test_body_at_the_limit_passes_one_byte_more_is_413(client: httpx.AsyncClient) -> None:
    ok = await client.post("/notes", content=_note(LIMIT), headers=JSON)
    assert ok.status_code == 200, ok.text
    r = await client.post(
        "/notes", content=_note(LIMIT + 1), headers={**JSON, "X-Request-ID": "big-1"}
    )
    body = assert_problem(r, 413)
    assert body["max_body_bytes"] == LIMIT and str(LIMIT) in body["detail"]
    assert body["type"].endswith("/content-too-large") and body["request_id"] == "big-1"
    assert r.headers["x-request-id"] == "big-1"


async def test_a_streamed_body_is_413_at_the_limit_and_read_no_further_than_a_bound(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "_DRAIN_BYTES", 3 * LIMIT)
    sent = []

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: chunked
        yield b'{"text": "'
        for _ in range(100):
            sent.append(1)
            yield b"x" * 100
        yield b'"}'

    r = await client.post("/notes", content=chunks(), headers=JSON)
    assert "content-length" not in r.request.headers
    assert r.request.headers["transfer-encoding"] == "chunked"
    assert assert_problem(r, 413)["max_body_bytes"] == LIMIT
    # The rest is read and dropped (so a real client sees the 413) only up to the bound.
    assert len(sent) <= 3 * LIMIT // 100 + 1, f"{len(sent)} chunks read"


@pytest.mark.parametrize("case", ["waits for 100 Continue", "announces more than is drained"])
async def test_a_large_content_length_is_refused_before_reading(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    monkeypatch.setattr(limits, "_DRAIN_BYTES", 5 * LIMIT)
    read = []

    async def never_read() -> AsyncIterator[bytes]:
        read.append(1)
        yield b"{}"

    headers = {**JSON, "content-length": str(10 * LIMIT)}
    if case == "waits for 100 Continue":
        headers["expect"] = "100-continue"
    r = await client.post("/notes", content=never_read(), headers=headers)
    assert_problem(r, 413)
    assert read == []


async def test_a_client_still_sending_reads_the_413_over_real_http() -> None:
    """uvicorn closes the connection after a 413: unread bytes would reset it before an
    ordinary client (one that sends the whole body first) could read the answer."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(_app(), lifespan="off", log_level="warning"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(500):  # at most 5 s to start
            if server.started:
                break
            await asyncio.sleep(0.01)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/notes"

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(64):
                yield b"x" * 65536

        async with httpx.AsyncClient(timeout=10) as http:
            for content in (_note(4 * 1024 * 1024), chunks()):  # announced, then chunked
                assert_problem(await http.post(url, content=content, headers=JSON), 413)
            assert (await http.post(url, content=_note(100), headers=JSON)).status_code == 200
    finally:
        server.should_exit = True
        await serving
        sock.close()


async def test_an_operation_can_allow_more(client: httpx.AsyncClient) -> None:
    document = json.dumps({"text": "x" * (LARGER - 100)}).encode()
    assert (await client.post("/documents", content=document, headers=JSON)).status_code == 200
    # The larger limit belongs to the operation, not to the path.
    assert_problem(await client.put("/documents", content=document, headers=JSON), 413)
    too_big = json.dumps({"text": "x" * LARGER}).encode()
    body = assert_problem(await client.post("/documents", content=too_big, headers=JSON), 413)
    assert body["max_body_bytes"] == LARGER


async def test_openapi_documents_each_operations_limit(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert str(LARGER) in spec["paths"]["/documents"]["post"]["responses"]["413"]["description"]
    assert str(LIMIT) in spec["paths"]["/documents"]["put"]["responses"]["413"]["description"]


async def test_unknown_operation_in_body_limits_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="postNothing"):
        create_service_app(
            title="x",
            description="x",
            settings=ServiceSettings(),
            auth_settings=AuthSettings(),
            script_location="unused:migrations",
            version_table="unused",
            routers=[],
            openapi_tags=[],
            body_limits={"postNothing": 1},
        )


async def test_depth_at_the_limit_passes_one_more_is_422_naming_where(
    client: httpx.AsyncClient,
) -> None:
    ok = await client.post("/documents", content=_nested(DEPTH), headers=JSON)
    assert ok.status_code == 200, ok.text
    r = await client.post("/documents", content=_nested(DEPTH + 1), headers=JSON)
    body = assert_problem(r, 422, "/a" * DEPTH)  # the container at depth DEPTH + 1
    assert body["max_json_depth"] == DEPTH
    assert (
        body["errors"][0]["type"] == "json_too_deep" and str(DEPTH) in body["errors"][0]["message"]
    )


async def test_depth_beyond_the_parsers_own_limit_is_422_too(client: httpx.AsyncClient) -> None:
    deep = b"[" * 2000 + b"]" * 2000  # beyond json.loads' recursion: still no 400 or 500
    r = await client.post("/documents", content=deep, headers=JSON)
    body = assert_problem(r, 422, "")
    assert body["max_json_depth"] == DEPTH


TEXT_CASES = {
    "escaped lone high surrogate": (rb'{"text": "a\ud800b"}', "/text"),
    "escaped lone low surrogate": (rb'{"text": "\udc00"}', "/text"),
    "raw UTF-8 bytes of a surrogate": (b'{"text": "a\xed\xa0\x80"}', "/text"),
    "NUL": (rb'{"text": "a\u0000"}', "/text"),
    "surrogate in a member name": (rb'{"text": "ok", "\ud800": 1}', "/\\ud800"),
}


@pytest.mark.parametrize("case", TEXT_CASES, ids=list(TEXT_CASES))
async def test_unstorable_text_is_422_naming_it(client: httpx.AsyncClient, case: str) -> None:
    content, pointer = TEXT_CASES[case]
    for path in ("/notes", "/documents"):  # a model body and a free-form one alike
        r = await client.post(path, content=content, headers=JSON)
        body = assert_problem(r, 422, pointer)
        assert body["errors"][0]["type"] == "string_unstorable"


async def test_a_surrogate_pair_is_fine(client: httpx.AsyncClient) -> None:
    r = await client.post("/notes", content=rb'{"text": "\ud83d\ude00"}', headers=JSON)
    assert r.status_code == 200 and r.json() == {"length": 1}


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity", "-Infinity"])
async def test_a_number_that_is_not_finite_is_422(client: httpx.AsyncClient, number: str) -> None:
    content = f'{{"values": [1, {{"amount": {number}}}]}}'.encode()
    body = assert_problem(await client.post("/documents", content=content, headers=JSON), 422)
    assert body["errors"][0]["pointer"] == "/values/1/amount"
    assert body["errors"][0]["type"] == "number_not_finite"


async def test_other_bodies_pass_untouched(client: httpx.AsyncClient) -> None:
    r = await client.post("/notes", content=b'{"text": 1e400', headers=JSON)
    assert_problem(r, 422)  # not JSON: the route's own parser answers, as before
    assert (await client.get("/openapi.json")).status_code == 200


async def test_nul_in_a_query_parameter_is_422_naming_it(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/search?page=1&q=a%00b"), 422, "/q")
    assert body["errors"][0]["location"] == "query"
    # Only a decoded NUL counts: an escaped percent sign followed by 00 is plain text.
    assert (await client.get("/search?q=%2500")).json() == {"q": "%00"}


def test_errors_name_each_place_in_document_order() -> None:
    document = {"a": ["ok", "\x00", {"b": float("inf")}], "c": "\ud800", "d/~": "\x00"}
    pointers = [e["pointer"] for e in json_errors(document, 64)]
    assert pointers == ["/a/1", "/a/2/b", "/c", "/d~1~0"]


def test_errors_are_few_however_many_places_are_bad() -> None:
    assert len(json_errors(["\x00"] * 10_000, 64)) == 10
    assert body_errors(b"[" + b'"\\u0000",' * 10_000 + b"1]", 64)[9]["pointer"] == "/9"


def test_a_scalar_document_is_checked_too() -> None:
    assert json_errors("\x00", 64)[0]["pointer"] == ""
    assert json_errors(1.5, 64) == [] and body_errors(b"not json", 64) == []
