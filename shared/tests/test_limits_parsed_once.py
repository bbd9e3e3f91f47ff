"""The request limits parse a JSON body once and hand it on (kit/limits.py `PARSED_BODY`), and
their shortcut (text checked in the bytes, then only the containers walked) finds exactly
what the full walk finds, for any document."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from municipal_shared.kit.limits import (
    PARSED_BODY,
    RequestLimitsMiddleware,
    checked_body,
    json_errors,
)

DEPTH = 4

TEXT = st.text(
    alphabet=st.sampled_from(
        ["a", "ö", "[", "]", "{", "}", '"', "\\", "\x00", "\ud800", "😀", "\udc00"]
    ),
    max_size=6,
)
NUMBERS = st.one_of(
    st.integers(-(10**30), 10**30),
    st.sampled_from(
        ["1.5", "1e307", "1e308", "1.8e308", "1e400", "-1e400", "0.1e310", "9" * 320 + ".0"]
    ),
    st.sampled_from([float("nan"), float("inf")]),
)
DOCUMENTS = st.recursive(
    st.one_of(TEXT, NUMBERS, st.booleans(), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=12,
)


def _body(document: Any, ascii_only: bool) -> bytes:
    text = json.dumps(document, ensure_ascii=ascii_only)
    # A number given as text above goes in as the number itself.
    for number in ("1.5", "1e307", "1e308", "1.8e308", "1e400", "-1e400", "0.1e310"):
        text = text.replace(f'"{number}"', number)
    text = text.replace('"' + "9" * 320 + '.0"', "9" * 320 + ".0")
    return text.encode("utf-8", "surrogatepass")


@settings(max_examples=400, deadline=None)
@given(document=DOCUMENTS, ascii_only=st.booleans())
def test_the_shortcut_finds_what_the_full_walk_finds(document: Any, ascii_only: bool) -> None:
    body = _body(document, ascii_only)
    parsed, errors = checked_body(body, DEPTH)
    full = json.loads(body, parse_float=Decimal, parse_constant=float)
    assert errors == json_errors(full, DEPTH)
    if not errors:
        assert json.dumps(parsed, default=str) == json.dumps(full, default=str)


def test_text_and_numbers_the_bytes_point_to_are_found() -> None:
    cases = {
        rb'{"a": ["\u0000"]}': "/a/0",
        rb'{"a": "x\udbff"}': "/a",
        b'{"a": "\xed\xa0\x80"}': "/a",
        b'{"a": [1, NaN]}': "/a/1",
        b'{"a": {"b": 1e309}}': "/a/b",
        b'{"a": [[[[[1]]]]]}': "/a/0/0/0",
    }
    for body, pointer in cases.items():
        assert [e["pointer"] for e in checked_body(body, DEPTH)[1]] == [pointer], body
    # A surrogate pair and brackets inside text are fine.
    assert checked_body(rb'{"a": "\ud83d\ude00 [[[[[[[["}', DEPTH)[1] == []


async def test_the_route_gets_the_body_parsed_once_with_exact_numbers() -> None:
    seen: list[Any] = []

    async def route(request: Request) -> JSONResponse:
        seen.append(request.scope.get(PARSED_BODY))
        return JSONResponse({"bytes": len(await request.body())})

    app = RequestLimitsMiddleware(
        Starlette(routes=[Route("/", route, methods=["POST"])]),
        default_bytes=10_000,
        max_depth=DEPTH,
        routes=[],
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit.test") as client:
        body = b'{"amount": 11200.10, "items": [1, "x"]}'
        answer = await client.post("/", content=body, headers={"content-type": "application/json"})
        assert answer.json() == {"bytes": len(body)}  # the bytes are handed on unchanged
        assert seen.pop() == ({"amount": Decimal("11200.10"), "items": [1, "x"]},)
        for other in (b"not json", b"[1, 2"):  # left to the route's own parser
            await client.post("/", content=other, headers={"content-type": "application/json"})
            assert seen.pop() is None
        await client.post("/", content=b'{"a": 1}', headers={"content-type": "text/plain"})
        assert seen.pop() is None
        refused = await client.post("/", content=b'{"a": 1e400}')
        assert refused.status_code == 422 and seen == []
