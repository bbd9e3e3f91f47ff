"""A request id on every request: taken from X-Request-ID when sane, else generated; echoed in
the response, put in every log line and in problem bodies. The app's edge (kit/edge.py) sets
it; `RequestIdMiddleware` does the same alone, for a bare app in a test."""

from __future__ import annotations

import contextvars
import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
HEADER_BYTES = HEADER.encode()
_SANE = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def request_id_from(incoming: bytes | None) -> str:
    """The caller's id when it is sane (so a robot can quote its own), else a new one."""
    if incoming is not None and _SANE.match(incoming):
        return incoming.decode("ascii")
    return uuid.uuid4().hex


def set_request_id(request_id: str | None) -> contextvars.Token[str | None]:
    return _request_id.set(request_id)


class RequestIdMiddleware:
    """Pure ASGI (not BaseHTTPMiddleware) so the context variable reaches handlers and logs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(dict(scope.get("headers", [])).get(HEADER_BYTES))
        # Not reset afterwards: the 500 handler runs outside this middleware and still needs it;
        # each request runs in its own task context, so nothing leaks between requests.
        _request_id.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"].append((HEADER_BYTES, request_id.encode()))
            await send(message)

        await self.app(scope, receive, send_with_id)
