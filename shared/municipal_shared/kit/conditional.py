"""Conditional GET and HEAD for every read (RFC 9110 §13, §9.3.2).

Every successful GET answer carries an ETag: the route's own (a row version that If-Match
writes are checked against) or, when it set none, a digest of the bytes it sent. A request
whose If-None-Match names it gets 304 with no body, so a report robot polling an unchanged
document moves no bytes. HEAD answers wherever GET does, with GET's headers and no body.

A route that can tell a match before rendering (a stored document's key) answers 304 itself;
this middleware passes such answers through. Bodies over `max_buffered` bytes stream through
unchanged (no digest), so a large export is never held in memory.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Sent with a 304 when a 200 would have carried them (RFC 9110 §15.4.5).
_KEPT_ON_304 = {b"etag", b"cache-control", b"vary", b"content-location", b"date", b"expires"}


def body_etag(body: bytes) -> str:
    """A strong validator: the same bytes give the same tag in every worker and pod."""
    digest = hashlib.blake2b(body, digest_size=16).digest()
    return '"' + base64.urlsafe_b64encode(digest).rstrip(b"=").decode() + '"'


def none_match(if_none_match: str | None, etag: str) -> bool:
    """True when If-None-Match names `etag` (weak comparison) or is `*`."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


class ConditionalGetMiddleware:
    def __init__(self, app: ASGIApp, max_buffered: int = 8 * 1024 * 1024) -> None:
        self.app = app
        self.max_buffered = max_buffered

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        if scope["type"] != "http" or method not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        head = method == "HEAD"
        if head:  # routed as the GET it mirrors
            scope = {**scope, "method": "GET"}
        reply = _Reply(
            send, Headers(scope=scope).get("if-none-match"), head=head, limit=self.max_buffered
        )
        await self.app(scope, receive, reply.send)


class _Reply:
    """Holds one answer until its body is complete, then sends it, a 304, or headers only."""

    def __init__(self, send: Send, if_none_match: str | None, *, head: bool, limit: int) -> None:
        self._send = send
        self._if_none_match = if_none_match
        self._head = head
        self._limit = limit
        self._start: Message | None = None
        self._chunks: list[bytes] = []
        self._size = 0
        self._streaming = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._start = message
            return
        if message["type"] != "http.response.body" or self._start is None:
            await self._send(message)
            return
        if self._streaming:
            await self._forward_body(message)
            return
        chunk: bytes = message.get("body", b"")
        self._chunks.append(chunk)
        self._size += len(chunk)
        more = bool(message.get("more_body", False))
        if more and self._size > self._limit:
            await self._stream_from_here(more)
        elif not more:
            await self._finish()

    async def _stream_from_here(self, more: bool) -> None:
        """Too large to hold: send what is held and stream the rest as it comes."""
        self._streaming = True
        assert self._start is not None
        await self._send(self._start)
        await self._forward_body(
            {"type": "http.response.body", "body": b"".join(self._chunks), "more_body": more}
        )
        self._chunks = []

    async def _forward_body(self, message: Message) -> None:
        if self._head:
            message = {**message, "body": b""}
        await self._send(message)

    async def _finish(self) -> None:
        assert self._start is not None
        start = self._start
        body = b"".join(self._chunks)
        headers = MutableHeaders(scope=start)
        if start["status"] == 200:
            etag = headers.get("etag")
            if etag is None:
                etag = body_etag(body)
                headers["etag"] = etag
            if none_match(self._if_none_match, etag):
                await self._not_modified(start["headers"])
                return
        await self._send(start)
        await self._send({"type": "http.response.body", "body": b"" if self._head else body})

    async def _not_modified(self, raw_headers: Iterable[tuple[bytes, bytes]]) -> None:
        kept = [(k, v) for k, v in raw_headers if k.lower() in _KEPT_ON_304]
        await self._send({"type": "http.response.start", "status": 304, "headers": kept})
        await self._send({"type": "http.response.body", "body": b""})
