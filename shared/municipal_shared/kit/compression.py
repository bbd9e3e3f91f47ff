"""gzip for large answers (kit/edge.py decides who gets it: a client that sends
Accept-Encoding: gzip, never a HEAD). An answer is held until its first body chunk shows its
size: smaller than the threshold, or not text, JSON, XML or CSV, or already encoded, or a
status without a body, it goes out unchanged; a complete large body is compressed at once; a
streamed one (a large export) chunk by chunk, without Content-Length."""

from __future__ import annotations

import zlib

from starlette.datastructures import MutableHeaders
from starlette.types import Message, Send

_TYPES = (b"text/", b"application/json", b"application/problem+json", b"application/xml")
_LEVEL = 6  # zlib's default: most of the gain of 9 at a fraction of the time


def compressible(content_type: bytes) -> bool:
    kind = content_type.split(b";", 1)[0].strip().lower()
    return kind.startswith(_TYPES) or kind.endswith((b"+json", b"+xml", b"/csv"))


class GzipSend:
    def __init__(self, send: Send, min_bytes: int) -> None:
        self._send = send
        self._min_bytes = min_bytes
        self._start: Message | None = None
        self._compressor: zlib._Compress | None = None
        self._passing = False

    async def send(self, message: Message) -> None:
        if self._passing:
            await self._send(message)
            return
        kind = message["type"]
        if kind == "http.response.start":
            if self._candidate(message):
                self._start = message
                return
            self._passing = True
            await self._send(message)
            return
        if kind != "http.response.body" or self._start is None:
            await self._send(message)
            return
        body: bytes = message.get("body", b"")
        more = bool(message.get("more_body", False))
        if self._compressor is None:
            if not more and len(body) < self._min_bytes:
                self._passing = True
                await self._send(self._start)
                await self._send(message)
                return
            self._compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, 31)  # 31: gzip wrapper
            headers = MutableHeaders(scope=self._start)
            headers["content-encoding"] = "gzip"
            headers.add_vary_header("Accept-Encoding")
            del headers["content-length"]
            if not more:
                compressed = self._compressor.compress(body) + self._compressor.flush()
                headers["content-length"] = str(len(compressed))
                await self._send(self._start)
                await self._send({"type": "http.response.body", "body": compressed})
                return
            await self._send(self._start)
        chunk = self._compressor.compress(body)
        if more:
            chunk += self._compressor.flush(zlib.Z_SYNC_FLUSH)  # each chunk readable on arrival
        else:
            chunk += self._compressor.flush()
        await self._send({"type": "http.response.body", "body": chunk, "more_body": more})

    def _candidate(self, start: Message) -> bool:
        """Worth holding: a body may come, not encoded yet, of a text type, and not known to
        be small (most answers say their length up front and go straight through)."""
        if start["status"] < 200 or start["status"] in (204, 304):
            return False
        content_type = b""
        for name, value in start.get("headers", []):
            lowered = name.lower()
            if lowered == b"content-encoding":
                return False
            if lowered == b"content-type":
                content_type = value
            elif lowered == b"content-length" and value.isdigit() and int(value) < self._min_bytes:
                return False
        return compressible(content_type)
