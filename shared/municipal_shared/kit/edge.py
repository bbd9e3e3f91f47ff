"""What wraps the whole app, outside Starlette's ServerErrorMiddleware (which `add_middleware`
cannot reach): security headers, so the catch-all 500 carries them too, and the answer to a
request that shutdown cancelled."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from municipal_shared.kit.database_faults import RETRY_AFTER_SECONDS
from municipal_shared.kit.problems import problem_response
from municipal_shared.kit.security_headers import SecurityHeadersMiddleware


class AnswerCancelledRequests:
    """A request still running when the graceful shutdown period ends is cancelled by the
    server, which would answer a bare 500. Answer 503 with Retry-After instead: the client
    can send it again, to another replica or after the restart."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except asyncio.CancelledError:
            if not started:
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
            raise


def install_edge_middleware(app: FastAPI, hsts_max_age_seconds: int) -> None:
    docs = [app.docs_url, app.swagger_ui_oauth2_redirect_url, app.redoc_url]
    build = app.build_middleware_stack

    def build_with_edge() -> ASGIApp:
        return SecurityHeadersMiddleware(
            AnswerCancelledRequests(build()),
            hsts_max_age_seconds=hsts_max_age_seconds,
            csp_exempt=[path for path in docs if path],
        )

    app.build_middleware_stack = build_with_edge  # type: ignore[method-assign]  # wraps the stack Starlette builds; no hook for that
