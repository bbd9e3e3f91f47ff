"""Security headers on every response, the catch-all 500 included.

- X-Content-Type-Options: nosniff, and X-Frame-Options: DENY: nothing here is to be framed.
- Content-Security-Policy: default-src 'none'; frame-ancestors 'none': an API answers JSON,
  nothing a browser should run or load. The interactive documentation (/docs, its OAuth2
  redirect, /redoc) is exempt: FastAPI's pages load Swagger UI and ReDoc from a CDN and start
  them with an inline script. They carry no data, only the OpenAPI document.
- Cache-Control: no-store on every answer to a request that carries Authorization: what a
  token may read must not stay in a shared or browser cache.
- Strict-Transport-Security only when hsts_max_age_seconds is set: TLS ends at the proxy in
  front, and a service reached over plain HTTP on an internal network must stay reachable.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CSP = "default-src 'none'; frame-ancestors 'none'"


class SecurityHeadersMiddleware:
    """Pure ASGI: sets the headers on the response start, whatever produced it."""

    def __init__(
        self, app: ASGIApp, *, hsts_max_age_seconds: int = 0, csp_exempt: Iterable[str] = ()
    ) -> None:
        self.app = app
        self.hsts = f"max-age={hsts_max_age_seconds}" if hsts_max_age_seconds > 0 else None
        self.csp_exempt = frozenset(csp_exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        authenticated = any(name == b"authorization" for name, _ in scope.get("headers", []))
        with_csp = scope["path"] not in self.csp_exempt

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                if with_csp:
                    headers["Content-Security-Policy"] = API_CSP
                if authenticated:
                    headers["Cache-Control"] = "no-store"
                if self.hsts:
                    headers["Strict-Transport-Security"] = self.hsts
            await send(message)

        await self.app(scope, receive, send_with_headers)
