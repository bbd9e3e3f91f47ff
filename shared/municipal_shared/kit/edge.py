"""The app's edge: one pure ASGI layer outside everything Starlette builds (its catch-all 500
included), doing what every request needs once:

- the request id (X-Request-ID when sane, else new) and the W3C trace context (the caller's
  trace continued, else a new one), in context variables for the logs, peers and problems;
- the security headers (kit/security_headers.py), from lists built once;
- CORS for the configured origins only: a preflight from one is answered here, from any other
  refused with 400 and no Access-Control-Allow-Origin; none configured, nothing changes;
- gzip for an answer of at least `gzip_min_bytes` to a client that accepts it (never a HEAD,
  a 304 or an answer already encoded);
- the request metrics by route template and status (kit/metrics.py) and one access log line;
- a 503 with Retry-After for a request that shutdown cancelled before it was answered.

One layer instead of one per concern: each layer costs every request a call and a closure,
and the throughput of plain reads is what issue 12 measures.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Iterator, Sequence
from time import perf_counter

from fastapi import FastAPI, Request
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from municipal_shared.kit.compression import GzipSend
from municipal_shared.kit.database_faults import RETRY_AFTER_SECONDS
from municipal_shared.kit.metrics import UNMATCHED, RequestSeries
from municipal_shared.kit.problems import problem_response
from municipal_shared.kit.request_id import HEADER_BYTES as REQUEST_ID
from municipal_shared.kit.request_id import request_id_from, set_request_id
from municipal_shared.kit.security_headers import NO_STORE, security_headers, with_csp
from municipal_shared.kit.settings import EdgeSettings
from municipal_shared.kit.tracing import continue_trace, set_traceparent

access_log = logging.getLogger("municipal_shared.access")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Probes and scrapes every few seconds: logged at DEBUG so they do not drown the rest.
_QUIET = frozenset({"/healthz", "/readyz", "/metrics"})
_CORS_METHODS = b"GET, HEAD, POST, PUT, PATCH, DELETE"
# A route may send a policy of its own (the composed report's page allows its one style block
# by hash): a second header would be enforced as well and forbid that block again.
_CSP = b"content-security-policy"
_CORS_REQUEST_HEADERS = frozenset(
    {
        "authorization",
        "content-type",
        "if-match",
        "if-none-match",
        "idempotency-key",
        "x-request-id",
        "traceparent",
        "tracestate",
        "accept",
        "accept-language",
        "content-language",
    }
)
_CORS_EXPOSED = b"ETag, Location, Retry-After, X-Request-ID, Content-Location, WWW-Authenticate"


class Edge:
    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Sequence[BaseRoute],
        settings: EdgeSettings,
        hsts_max_age_seconds: int = 0,
        csp_exempt: Sequence[str] = (),
        continue_into_otel: bool = False,
    ) -> None:
        """`routes`: the app's, to name the route of a HEAD (routed as its GET on a copy of
        the scope). `continue_into_otel`: hand a new trace to OpenTelemetry's middleware as
        if the caller had sent it, so spans and log lines share one trace id."""
        self.app = app
        self.routes = routes
        self.headers = security_headers(hsts_max_age_seconds)
        self.headers_with_csp = with_csp(self.headers)
        self.csp_exempt = frozenset(csp_exempt)
        self.origins = frozenset(o.encode() for o in settings.cors_allow_origins)
        self.gzip_min_bytes = settings.gzip_min_bytes
        self.continue_into_otel = continue_into_otel
        self.series = RequestSeries()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        incoming_id = traceparent_in = origin = preflight = None
        authenticated = gzip = False
        for name, value in scope["headers"]:  # one pass; ASGI servers lower-case the names
            if name == b"x-request-id":
                incoming_id = value
            elif name == b"traceparent":
                traceparent_in = value
            elif name == b"authorization":
                authenticated = True
            elif name == b"origin":
                origin = value
            elif name == b"accept-encoding":
                gzip = b"gzip" in value
            elif name == b"access-control-request-method":
                preflight = value
        request_id = request_id_from(incoming_id)
        traceparent, continued = continue_trace(traceparent_in)
        # Not reset afterwards: Starlette's 500 handler runs inside this task after the app
        # raised and still needs them; each request has its own task context.
        set_request_id(request_id)
        set_traceparent(traceparent)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        if self.continue_into_otel and not continued:
            scope["headers"] = [*scope["headers"], (b"traceparent", traceparent.encode())]

        method: str = scope["method"]
        headers = self.headers if scope["path"] in self.csp_exempt else self.headers_with_csp
        headers = [*headers, (REQUEST_ID, request_id.encode())]
        if authenticated:
            headers.append(NO_STORE)
        allowed_origin = origin is not None and origin in self.origins
        if self.origins:  # the answer depends on the origin: caches must keep them apart
            headers.append((b"vary", b"Origin"))
        if allowed_origin:
            assert origin is not None
            headers += [
                (b"access-control-allow-origin", origin),
                (b"access-control-expose-headers", _CORS_EXPOSED),
            ]
        status = 500
        if method == "OPTIONS" and origin is not None and preflight is not None and self.origins:
            status = await self._preflight(scope, send, headers, allowed_origin, preflight)
            self._done(scope, method, status, started, route="preflight")
            return

        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                raw = message.setdefault("headers", [])
                if authenticated:  # ours replaces whatever the route said
                    raw[:] = [h for h in raw if h[0].lower() != b"cache-control"]
                ours = headers
                if any(h[0].lower() == _CSP for h in raw):  # the route's own policy stays
                    ours = [h for h in headers if h[0] != _CSP]
                if status >= 500 and any(h[0].lower() == REQUEST_ID for h in raw):
                    raw.extend(h for h in ours if h[0] != REQUEST_ID)  # the 500 handler's
                else:
                    raw.extend(ours)
            await send(message)

        inner_send = send_with_headers
        if gzip and self.gzip_min_bytes and method != "HEAD":
            inner_send = GzipSend(send_with_headers, self.gzip_min_bytes).send
        try:
            await self.app(scope, receive, inner_send)
        except asyncio.CancelledError:
            if not response_started:
                status = 503
                await self._answer_cancelled(scope, receive, send_with_headers)
            raise
        finally:
            self._done(scope, method, status, started)

    def _done(
        self, scope: Scope, method: str, status: int, started: float, route: str | None = None
    ) -> None:
        seconds = perf_counter() - started
        template = route or self._route_of(scope, method)
        self.series.observe(method if method in _METHODS else "other", template, status, seconds)
        level = logging.DEBUG if scope["path"] in _QUIET else logging.INFO
        if access_log.isEnabledFor(level):
            state = scope["state"]
            access_log.log(
                level,
                "%s %s %s %.1f ms",
                method,
                template,
                status,
                seconds * 1000,
                extra={
                    "method": method,
                    "route": template,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                    "subject": state.get("subject"),
                },
            )

    def _route_of(self, scope: Scope, method: str) -> str:
        """The template of the route that answered; a HEAD was routed on a copy of the scope
        (kit/conditional.py), so its GET route is matched again here."""
        route = scope.get("route")
        if route is None and method == "HEAD":
            probe = {**scope, "method": "GET"}
            for candidate in self.routes:
                if candidate.matches(probe)[0] is Match.FULL:
                    route = candidate
                    break
        path = getattr(route, "path", None)
        return path if isinstance(path, str) else UNMATCHED

    async def _preflight(
        self,
        scope: Scope,
        send: Send,
        headers: list[tuple[bytes, bytes]],
        allowed_origin: bool,
        requested_method: bytes,
    ) -> int:
        """Answer a CORS preflight (Fetch standard): 200 with what the origin may send, or
        400 without Access-Control-Allow-Origin, which the browser reads as a refusal."""
        requested = {
            part.strip().lower()
            for name, value in scope["headers"]
            if name == b"access-control-request-headers"
            for part in value.decode("latin-1").split(",")
            if part.strip()
        }
        refused = (
            not allowed_origin
            or requested_method.upper() not in _CORS_METHODS.split(b", ")
            or not requested <= _CORS_REQUEST_HEADERS
        )
        if refused:
            status, body = 400, b"CORS preflight refused: origin, method or header not allowed"
            out = [h for h in headers if not h[0].startswith(b"access-control-")]
            out.append((b"content-type", b"text/plain; charset=utf-8"))
        else:
            status, body = 200, b""
            out = [h for h in headers if h[0] != b"access-control-expose-headers"]
            out += [
                (b"access-control-allow-methods", _CORS_METHODS),
                (b"access-control-allow-headers", ", ".join(sorted(requested)).encode()),
                (b"access-control-max-age", b"600"),
            ]
        out.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": body})
        return status

    async def _answer_cancelled(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A request still running when the graceful shutdown period ends is cancelled by
        the server, which would answer a bare 500. Answer 503 with Retry-After instead: the
        client can send it again, to another replica or after the restart."""
        response = problem_response(
            503,
            "shutting-down",
            "Service shutting down",
            "The service stopped before the request finished; it may not have been "
            "applied. Try again after Retry-After seconds.",
            Request(scope),
            {"Retry-After": str(RETRY_AFTER_SECONDS), "Connection": "close"},
        )
        await response(scope, receive, send)


def _flat(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """The routes themselves, also those of included routers (FastAPI keeps an included
    router as one entry that matches without naming its route)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _flat(included.routes)
        else:
            yield route


def install_edge_middleware(
    app: FastAPI,
    hsts_max_age_seconds: int,
    settings: EdgeSettings | None = None,
    *,
    continue_into_otel: bool = False,
) -> None:
    """Wrap the stack Starlette builds (its ServerErrorMiddleware included) in the edge."""
    docs = [app.docs_url, app.swagger_ui_oauth2_redirect_url, app.redoc_url]
    build = app.build_middleware_stack
    edge_settings = settings or EdgeSettings(gzip_min_bytes=0)

    def build_with_edge() -> ASGIApp:
        return Edge(
            build(),
            routes=list(_flat(app.router.routes)),
            settings=edge_settings,
            hsts_max_age_seconds=hsts_max_age_seconds,
            csp_exempt=[path for path in docs if path],
            continue_into_otel=continue_into_otel,
        )

    app.build_middleware_stack = build_with_edge  # type: ignore[method-assign]  # wraps the stack Starlette builds; no hook for that
