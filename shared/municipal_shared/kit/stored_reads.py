"""Stored documents answered before routing, the way a static file server answers.

A document that its route served to a request without credentials or query string (so the
route found it public and depending on its path alone) is kept by the process's document
store. The next such GET of the same path is answered here, after one look at the counters'
sum in the database, without routing, dependencies or the route: the route has already
checked this path, and any write since moves the sum, which sends the request on to the route
again (a 404 once the document is gone, the new bytes once it changed). Anything else, a
token, a query string, an Accept the document does not satisfy, a database fault, goes on
to the route as before.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Receive, Scope, Send

from municipal_shared.kit.conditional import none_match

logger = logging.getLogger("municipal_shared.stored_reads")


class StoredReadsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["query_string"]:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        store = getattr(scope["app"].state, "documents", None)
        if store is None or b"authorization" in headers:
            await self.app(scope, receive, send)
            return
        try:
            kept = await store.current(scope["path"])
        except Exception:  # the route meets the same fault and answers it as every read does
            logger.warning("stored read of %s failed", scope["path"], exc_info=True)
            kept = None
        if kept is None or not _accepts(headers.get(b"accept"), kept.media_type):
            await self.app(scope, receive, send)
            return
        if kept.route is not None:
            scope["route"] = kept.route  # for the access log and the metrics, as if routed
        etag = kept.etag.encode()
        if_none_match = headers.get(b"if-none-match")
        if none_match(if_none_match.decode("latin-1") if if_none_match else None, kept.etag):
            await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", etag)]})
            await send({"type": "http.response.body", "body": b""})
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", kept.media_type.encode()),
                    (b"content-length", str(len(kept.body)).encode()),
                    (b"etag", etag),
                ],
            }
        )
        await send({"type": "http.response.body", "body": kept.body})


def _accepts(accept: bytes | None, media_type: str) -> bool:
    """Only the plain cases: no Accept, anything, or exactly the document's type. A request
    that negotiates (a page, a spreadsheet, q-values) goes to its route."""
    if accept is None:
        return True
    wanted = accept.decode("latin-1").strip()
    return wanted in ("*/*", media_type.split(";")[0])
