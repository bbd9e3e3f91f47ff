"""Limits on a request, enforced before any route reads it.

A body larger than its operation allows is a 413; a JSON body nested deeper than
`max_json_depth`, holding text a database cannot store (NUL, a lone UTF-16 surrogate) or a
number that is not finite is a 422 naming the place, as is a query parameter holding NUL.
Checked once here, for every route and for `dict[str, Any]` bodies (OCDS) alike: a model
validator could not see inside those, and recursion in later code (copying, hashing, schema
checks) must never meet an unbounded depth.

Why the body is parsed here with exact numbers and handed on (`PARSED_BODY` in the scope):
a route whose body is a model reads it that way (kit/routing.py), so a large bulk body is
parsed once, not twice. And why the text is checked in the bytes first: NUL and lone
surrogates can only come from a few byte sequences; a body without any of them (nearly
every body) needs only its containers walked for the depth, not every member.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import anyio
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from municipal_shared.kit.problems import PROBLEM_MEDIA_TYPE, field_error, problem_response
from municipal_shared.kit.settings import ServiceSettings

# Methods that carry no body unless the client says so with Content-Length or
# Transfer-Encoding; their requests pass through untouched.
_BODILESS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_MAX_ERRORS = 10
_DRAIN_BYTES = 64 * 1024 * 1024
_DRAIN_SECONDS = 10.0
# json.loads reads 1e400 as infinity and accepts NaN and Infinity, none of them JSON.
_NOT_FINITE = ("a number must be finite (at most about 1.8e308)", "number_not_finite")
_JSON_TYPE = re.compile(r"^application/([a-z0-9.+-]*\+)?json\s*(;|$)", re.IGNORECASE)

RouteLimit = tuple[frozenset[str], re.Pattern[str], int]

PARSED_BODY = "municipal_shared.parsed_body"
"""Scope key of the body as parsed here (a 1-tuple: JSON `null` is a document too), numbers
with a fraction or exponent as Decimal: set only for a JSON body that keeps every limit."""
# The bytes through which text can hold NUL or a lone surrogate: NUL raw or escaped, a
# surrogate escaped (a pair is fine: the walk decides) or as its UTF-8 bytes (json.loads
# lets those through). A body in UTF-16 or UTF-32 holds NUL bytes, so it is walked too.
_TEXT_SUSPECTS = (b"\\u0000", b"\x00", b"\xed")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LARGEST_FLOAT_EXPONENT = 308


def install_request_limits(
    app: FastAPI,
    settings: ServiceSettings,
    routers: Sequence[APIRouter],
    body_limits: Mapping[str, int],
) -> None:
    """Add the middleware; `body_limits` maps an operation id to its own body limit in bytes
    (for the few operations that legitimately take more than `settings.max_body_bytes`)."""
    routes: list[RouteLimit] = []
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute) and route.operation_id in body_limits:
                # An APIRoute always has methods (FastAPI defaults them to GET).
                assert route.operation_id is not None and route.methods is not None
                limit = body_limits[route.operation_id]
                routes.append((frozenset(route.methods), route.path_regex, limit))
    found = {
        route.operation_id
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
    }
    unknown = set(body_limits) - found
    if unknown:  # a misspelt id would silently fall back to the default limit
        raise ValueError(f"body limits name no operation: {sorted(unknown)}")
    app.add_middleware(
        RequestLimitsMiddleware,
        default_bytes=settings.max_body_bytes,
        max_depth=settings.max_json_depth,
        routes=routes,
    )
    _document_limits(app, settings.max_body_bytes, body_limits)


class RequestLimitsMiddleware:
    """Pure ASGI: reads the body itself (counting bytes, whether announced by Content-Length
    or streamed in chunks), refuses what breaks a limit, and hands the rest on unchanged."""

    def __init__(
        self, app: ASGIApp, *, default_bytes: int, max_depth: int, routes: Sequence[RouteLimit]
    ) -> None:
        self.app = app
        self.default_bytes = default_bytes
        self.max_depth = max_depth
        self.routes = list(routes)

    def limit_for(self, scope: Scope) -> int:
        path = _route_path(scope)
        for methods, pattern, limit in self.routes:
            if scope["method"] in methods and pattern.match(path):
                return limit
        return self.default_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        has_body = not (
            scope["method"] in _BODILESS
            and "content-length" not in headers
            and "transfer-encoding" not in headers
        )
        body = b""
        if has_body:
            read = await self._read_body(scope, receive, send, headers)
            if read is None:
                return  # answered already (413), or the client left
            body = read
        query = scope.get("query_string", b"")
        # NUL can only come from %00 (or a raw NUL); only then is the query decoded here.
        errors = query_errors(query) if b"%00" in query or b"\x00" in query else []
        if not errors and body and _is_json(headers.get("content-type")):
            document, errors = checked_body(body, self.max_depth)
            if not errors and document is not _NOT_JSON:
                scope[PARSED_BODY] = (document,)
        if errors:
            await _unprocessable(scope, receive, send, errors, self.max_depth)
            return
        if not has_body:
            await self.app(scope, receive, send)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read_body(
        self, scope: Scope, receive: Receive, send: Send, headers: Headers
    ) -> bytes | None:
        """The whole body, or None once a 413 is answered (or the client is gone)."""
        limit = self.limit_for(scope)
        announced = headers.get("content-length", "")
        if announced.isdigit() and int(announced) > limit:
            # A client waiting for 100 Continue sends nothing: answer at once. Otherwise it is
            # still sending; reading the rest (within bounds) lets it see the 413 rather than
            # a connection reset by the close.
            if headers.get("expect", "").lower() != "100-continue":
                await _drain(receive, 0, int(announced))
            await _too_large(scope, receive, send, limit)
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None  # there is no one to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            more = message.get("more_body", False)
            if size > limit:  # streamed past the limit: keep nothing more
                if more:
                    await _drain(receive, size, None)
                await _too_large(scope, receive, send, limit)
                return None
            chunks.append(chunk)
            if not more:
                return b"".join(chunks)


async def _drain(receive: Receive, size: int, announced: int | None) -> None:
    """Reads and drops the rest of a refused body, at most _DRAIN_BYTES in _DRAIN_SECONDS:
    memory stays flat, and a client sending more, or slower, meets the closed connection."""
    if announced is not None and announced > _DRAIN_BYTES:
        return
    with anyio.move_on_after(_DRAIN_SECONDS):
        while size <= _DRAIN_BYTES:
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                return
            size += len(message.get("body", b""))


def query_errors(query: bytes) -> list[dict[str, Any]]:
    """Query parameters holding NUL, decoded as Starlette decodes them (a lone surrogate
    cannot come out of that: invalid UTF-8 becomes U+FFFD)."""
    errors = []
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            message = "text cannot contain the NUL character (\\u0000)"
            errors.append(
                {
                    "pointer": "/" + _escape(name),
                    "location": "query",
                    "message": message,
                    "type": "string_unstorable",
                }
            )
    return errors[:_MAX_ERRORS]


_NOT_JSON: Any = object()


def body_errors(body: bytes, max_depth: int) -> list[dict[str, Any]]:
    """Field errors (pointer, location, message, type) of a JSON body that breaks a limit;
    empty when it keeps them or is not JSON at all (the route's own parser answers that)."""
    return checked_body(body, max_depth)[1]


def checked_body(body: bytes, max_depth: int) -> tuple[Any, list[dict[str, Any]]]:
    """The body parsed (numbers with a fraction or exponent as Decimal; `_NOT_JSON` if it is
    not JSON) and its field errors."""
    odd: list[bool] = []

    def constant(name: str) -> float:  # NaN, Infinity: not JSON, but json.loads takes them
        odd.append(True)
        return float(name)

    try:
        document = json.loads(body, parse_float=Decimal, parse_constant=constant)
    except RecursionError:
        # Deeper than the parser itself follows (hundreds of levels): no place to name but
        # the whole body, found without walking it.
        error = field_error("", f"nested deeper than {max_depth} levels", "json_too_deep")
        return _NOT_JSON, [error]
    except ValueError:  # not JSON (or not UTF-8): left to the route's own 4xx
        return _NOT_JSON, []
    if odd or _text_may_be_unstorable(body) or not _shallow_and_finite(document, max_depth):
        return document, json_errors(document, max_depth)  # the places, in document order
    return document, []


def _text_may_be_unstorable(body: bytes) -> bool:
    if any(suspect in body for suspect in _TEXT_SUSPECTS):
        return True
    return b"\\u" in body and _SURROGATE_ESCAPE.search(body) is not None


def _shallow_and_finite(document: Any, max_depth: int) -> bool:
    """No container deeper than `max_depth` and every number within a float's range, looking
    at the containers' members level by level (text is left to the bytes' check)."""
    level = [document] if type(document) in (dict, list) else []
    if type(document) is Decimal:
        return _fits_a_float(document)
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            return False
        inner = []
        for container in level:
            for member in container.values() if type(container) is dict else container:
                kind = type(member)
                if kind is dict or kind is list:
                    inner.append(member)
                elif kind is Decimal and not _fits_a_float(member):
                    return False
        level = inner
    return True


def _fits_a_float(number: Decimal) -> bool:
    # Only a number of about 1e308 or more can be beyond a float (json.loads would give inf).
    return number.adjusted() < _LARGEST_FLOAT_EXPONENT or math.isfinite(float(number))


def json_errors(document: Any, max_depth: int) -> list[dict[str, Any]]:
    """Walks a parsed JSON document in document order without recursion (a deep document
    must not exhaust the stack here either), reporting at most a few places."""
    if not isinstance(document, dict | list):
        problem = _scalar_problem(document)
        return [field_error("", *problem)] if problem else []
    errors: list[dict[str, Any]] = []
    # An entry is (depth, parent entry, key in parent): pointers are only built for the few
    # places reported. The stack holds each open container's iterator and its entry.
    root: tuple[int, Any, Any] = (1, None, None)
    stack: list[tuple[Any, tuple[int, Any, Any]]] = [(_members(document), root)]
    while stack and len(errors) < _MAX_ERRORS:
        members, entry = stack[-1]
        depth = entry[0]
        for key, child in members:
            # Plain ASCII without NUL, the usual text, is cleared without a call.
            if type(key) is str and ("\x00" in key or not key.isascii()):
                if name_problem := _text_problem(key):
                    message = f"a member name {name_problem}"
                    errors.append(field_error(_pointer(entry, key), message, "string_unstorable"))
            kind = type(child)
            if kind is dict or kind is list:
                if depth < max_depth:
                    stack.append((_members(child), (depth + 1, entry, key)))
                    break  # into the child; this container's iterator resumes after it
                message = f"nested deeper than {max_depth} levels"
                errors.append(field_error(_pointer(entry, key), message, "json_too_deep"))
            elif kind is str:
                if ("\x00" in child or not child.isascii()) and (
                    problem_and_type := _scalar_problem(child)
                ):
                    errors.append(field_error(_pointer(entry, key), *problem_and_type))
            elif (kind is float and not math.isfinite(child)) or (
                kind is Decimal and not _fits_a_float(child)
            ):
                errors.append(field_error(_pointer(entry, key), *_NOT_FINITE))
            if len(errors) >= _MAX_ERRORS:
                break
        else:
            stack.pop()
    return errors


def _members(container: dict[str, Any] | list[Any]) -> Iterator[tuple[Any, Any]]:
    return iter(container.items()) if type(container) is dict else enumerate(container)


def _scalar_problem(value: Any) -> tuple[str, str] | None:
    if isinstance(value, str):
        problem = _text_problem(value)
        return (f"text {problem}", "string_unstorable") if problem else None
    if isinstance(value, float) and not math.isfinite(value):
        return _NOT_FINITE
    if isinstance(value, Decimal) and not _fits_a_float(value):
        return _NOT_FINITE
    return None


def _text_problem(text: str) -> str | None:
    # PostgreSQL text cannot hold NUL, and UTF-8 cannot encode a lone surrogate (`\ud800`
    # without its pair): either would fail only at the database, as a 500.
    if "\x00" in text:
        return "cannot contain the NUL character (\\u0000)"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "cannot contain a lone UTF-16 surrogate (e.g. \\ud800 without its pair)"
    return None


def _pointer(entry: tuple[int, Any, Any], key: Any) -> str:
    parts = [key]
    while entry[1] is not None:
        parts.append(entry[2])
        entry = entry[1]
    return "".join("/" + _escape(part) for part in reversed(parts))


def _escape(part: Any) -> str:
    # The pointer is answered as UTF-8: a bad member name is shown with its escapes.
    text = str(part).encode("utf-8", "backslashreplace").decode("utf-8")
    return text.replace("\x00", "\\u0000").replace("~", "~0").replace("/", "~1")


def _is_json(content_type: str | None) -> bool:
    # Absent counts too: the route may still read the body as JSON.
    return content_type is None or bool(_JSON_TYPE.match(content_type))


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = problem_response(
        413,
        "content-too-large",
        "Content too large",
        f"The request body is larger than {limit} bytes, this operation's limit",
        Request(scope),
        # The rest of the body may be unread, so the connection cannot carry another request.
        headers={"connection": "close"},
        max_body_bytes=limit,
    )
    await response(scope, receive, send)


async def _unprocessable(
    scope: Scope, receive: Receive, send: Send, errors: list[dict[str, Any]], max_depth: int
) -> None:
    pointers = ", ".join(e["pointer"] or "(the body)" for e in errors[:5])
    extensions: dict[str, Any] = {"errors": errors}
    if any(e["type"] == "json_too_deep" for e in errors):
        extensions["max_json_depth"] = max_depth
    response = problem_response(
        422,
        "validation-error",
        "Request is not valid",
        f"Invalid field(s): {pointers}",
        Request(scope),
        **extensions,
    )
    await response(scope, receive, send)


def _document_limits(app: FastAPI, default: int, body_limits: Mapping[str, int]) -> None:
    """Every operation with a body documents its 413 and the limit in bytes."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                if not isinstance(operation, dict) or "requestBody" not in operation:
                    continue
                limit = body_limits.get(operation.get("operationId", ""), default)
                operation.setdefault("responses", {}).setdefault(
                    "413",
                    {
                        "description": f"Body larger than {limit} bytes",
                        "content": {
                            PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
                        },
                    },
                )
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented hook for a customised schema
