"""Serving stored documents (kit/documents.py has the tables and the counters).

A read looks the document up with one statement that also sums its scopes' counters; it is
served when the stored sum is the current one. On PostgreSQL that statement runs on a small
asyncpg pool of its own, outside any transaction: one round trip and no ORM session, which is
most of what a read costs. Only a document that is missing or out of date opens a session,
renders, and stores the bytes for the next read.

Each process also keeps the documents it served last (`ValidatedCache`), and then asks the
database only for the current sum of the counters: a few bytes instead of the stored body
(which PostgreSQL keeps compressed and would decompress on every read). The sum is still read
from the database on every request, so a write acknowledged by any worker or pod is seen at
once; the cache never answers without that check. Reads that arrive while that sum is being
asked wait for the next asking (kit/coalesce.py), never take the one already on its way.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from fastapi import Request, Response
from sqlalchemy import and_, func, literal, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.kit.coalesce import Coalescer
from municipal_shared.kit.conditional import body_etag, none_match
from municipal_shared.kit.database import Database, dialect_insert, utc_now
from municipal_shared.kit.documents import (
    SERVICE_SCOPE,
    DocumentTables,
    Rendered,
)

logger = logging.getLogger("municipal_shared.document_store")
Render = Callable[[AsyncSession], Awaitable[Rendered]]
# The stored rendering and the current sum of its scopes' counters, in one statement.
_LOOKUP = """
SELECT (SELECT coalesce(sum(version), 0) FROM change_counter WHERE scope = ANY($1::text[]))
         AS total,
       d.counter_sum, d.stored_at, d.etag, d.media_type, d.body
FROM (SELECT 1) AS one
LEFT JOIN stored_document AS d ON d.path = $2 AND d.variant = $3
"""
# The same without the bytes: whether a rendering kept by the process is still the stored one.
_CHECK = """
SELECT (SELECT coalesce(sum(version), 0) FROM change_counter WHERE scope = ANY($1::text[]))
         AS total,
       d.counter_sum, d.stored_at
FROM (SELECT 1) AS one
LEFT JOIN stored_document AS d ON d.path = $2 AND d.variant = $3
"""


@dataclass(frozen=True)
class _Kept:
    counter_sum: int
    etag: str
    media_type: str
    body: bytes
    # When the stored row was written: with the counter sum it names that row, also across a
    # database restored or replaced under a running process (where sums can repeat).
    stored_at: Any = None
    scopes: tuple[str, ...] = (SERVICE_SCOPE,)
    # Served by its route to a request without credentials, with no query string: the same
    # path may then be answered before routing (kit/stored_reads.py). `route` is that route,
    # for the access log and the metrics.
    anonymous: bool = False
    route: Any = None


class ValidatedCache:
    """The process's last renderings by (path, variant), bounded in entries and bytes, least
    recently used first out. An entry is only ever served after the caller has read the
    current counter sum from the database and found it equal to the entry's."""

    def __init__(self, max_entries: int = 256, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, str], _Kept] = OrderedDict()
        self._bytes = 0

    def get(self, key: tuple[str, str]) -> _Kept | None:
        kept = self._entries.get(key)
        if kept is not None:
            self._entries.move_to_end(key)
        return kept

    def put(self, key: tuple[str, str], kept: _Kept) -> None:
        if len(kept.body) > self.max_bytes // 4:
            return  # one large document must not push out all the others
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._entries[key] = kept
        self._bytes += len(kept.body)
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= len(dropped.body)


class DocumentStore:
    def __init__(self, database: Database, tables: DocumentTables, pool_size: int = 10) -> None:
        self.database = database
        self.tables = tables
        self.pool_size = pool_size
        self._pool: asyncpg.Pool | None = None
        self._postgres = database.engine.dialect.name == "postgresql"
        self.cache = ValidatedCache()
        self._checks: Coalescer[Any] = Coalescer()

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()

    async def serve(
        self,
        request: Request,
        render: Render,
        *,
        scopes: Sequence[str] = (SERVICE_SCOPE,),
        variant: str = "",
        store: bool = True,
    ) -> Response:
        """The document at the request's path: 304 when If-None-Match names the current one,
        the stored bytes when they are current, else rendered now and stored.

        The key is the path alone, never the query string, so a client cannot fill the table
        with made-up parameters: what a document depends on beyond its path goes in `variant`
        (bounded values only), and `store=False` renders a document of open-ended parameters
        (a free date range) every time."""
        path = request.url.path
        if_none_match = request.headers.get("if-none-match")
        if not store:
            async with self.database.sessions() as session:
                rendered = await render(session)
            etag = rendered.etag or body_etag(rendered.body)
            return _answer(if_none_match, etag, rendered.media_type, rendered.body)
        key, scope_list = (path, variant), list(scopes)
        kept = self.cache.get(key)
        if kept is not None and await self._still_stored(kept, path, variant):
            return _answer(if_none_match, kept.etag, kept.media_type, kept.body)
        found = await self._lookup(path, variant, scope_list)
        total = int(found["total"])
        if found["counter_sum"] == total:
            etag, media_type, body = found["etag"], found["media_type"], bytes(found["body"])
            stored_at = found["stored_at"]
        else:
            async with self.database.sessions() as session:
                rendered = await render(session)
                etag = rendered.etag or body_etag(rendered.body)
                stored_at = await self._store(session, path, variant, total, etag, rendered)
            media_type, body = rendered.media_type, rendered.body
        anonymous = not variant and not request.url.query and not _credentials(request)
        route = request.scope.get("route")
        kept = _Kept(total, etag, media_type, body, stored_at, tuple(scope_list), anonymous, route)
        self.cache.put(key, kept)
        return _answer(if_none_match, kept.etag, kept.media_type, kept.body)

    async def current(self, path: str) -> _Kept | None:
        """The kept document of `path` if a request without credentials may have it as it is
        now: its route served it so, and its counters have not moved since (checked here, in
        the database). None sends the request on to its route."""
        kept = self.cache.get((path, ""))
        if kept is None or not kept.anonymous:
            return None
        return kept if await self._still_stored(kept, path, "") else None

    async def _still_stored(self, kept: _Kept, path: str, variant: str) -> bool:
        """Whether the counters still sum to what the kept rendering was made at and the
        stored row is still the one kept. Reads that arrive while this is asked share the
        next asking (kit/coalesce.py)."""
        scopes = list(kept.scopes)
        found = await self._checks.ask(
            (path, variant, kept.scopes),
            lambda: self._lookup(path, variant, scopes, with_body=False),
        )
        return bool(
            int(found["total"]) == found["counter_sum"] == kept.counter_sum
            and found["stored_at"] == kept.stored_at
        )

    async def _lookup(
        self, path: str, variant: str, scopes: list[str], *, with_body: bool = True
    ) -> Any:
        if self._postgres:
            try:
                pool = self._pool or await self._open_pool()
                statement = _LOOKUP if with_body else _CHECK
                return await pool.fetchrow(statement, scopes, path, variant)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                # The session below meets the same fault and answers it as every read does
                # (503 with Retry-After); a dropped connection is simply replaced next time.
                logger.warning("stored-document lookup on its pool failed: %r", exc)
        async with self.database.sessions() as session:
            statement = self._lookup_statement(path, variant, scopes, with_body)
            return (await session.execute(statement)).one()._mapping

    async def _open_pool(self) -> asyncpg.Pool:
        url = make_url(self.database.url)
        self._pool = await asyncpg.create_pool(
            **url.translate_connect_args(username="user"),
            min_size=1,
            max_size=self.pool_size,
            timeout=self.database.connect_timeout or 60.0,
            command_timeout=self.database.statement_timeout,
            # The pool only ever runs _LOOKUP, outside a transaction, and changes no session
            # state: asyncpg's reset on release (RESET ALL, UNLISTEN, ...) would be a second
            # round trip per read for nothing.
            reset=_keep_as_is,
        )
        return self._pool

    def _lookup_statement(self, path: str, variant: str, scopes: list[str], with_body: bool) -> Any:
        counters, documents = self.tables.counters, self.tables.documents
        total = (
            select(func.coalesce(func.sum(counters.c.version), 0))
            .where(counters.c.scope.in_(scopes))
            .scalar_subquery()
        )
        one = select(literal(1).label("one")).subquery()
        columns = [total.label("total"), documents.c.counter_sum, documents.c.stored_at]
        if with_body:
            columns += [documents.c.etag, documents.c.media_type, documents.c.body]
        return (
            select(*columns)
            .select_from(one)
            .outerjoin(
                documents,
                and_(documents.c.path == literal(path), documents.c.variant == literal(variant)),
            )
        )

    async def _store(
        self,
        session: AsyncSession,
        path: str,
        variant: str,
        counter_sum: int,
        etag: str,
        rendered: Rendered,
    ) -> Any:
        """Keep this rendering for the next read; its time of storing, None if not stored.
        Two workers rendering at once store equal bytes; the later state wins, so a slow
        render of an older state never replaces a newer one."""
        documents = self.tables.documents
        values = {
            "path": path,
            "variant": variant,
            "counter_sum": counter_sum,
            "etag": etag,
            "media_type": rendered.media_type,
            "body": rendered.body,
            "stored_at": utc_now(),
        }
        statement = dialect_insert(session, documents).values(**values)
        try:
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[documents.c.path],
                    set_={k: statement.excluded[k] for k in values if k != "path"},
                    where=(documents.c.counter_sum <= statement.excluded.counter_sum),
                )
            )
            await session.commit()
        except SQLAlchemyError:  # the reader still gets its document; the next read stores it
            logger.warning("storing the rendering of %s failed", path, exc_info=True)
            await session.rollback()
            return None
        return values["stored_at"]


def _credentials(request: Request) -> bool:
    return "authorization" in request.headers


async def _keep_as_is(connection: asyncpg.Connection) -> None:
    return None


def _answer(if_none_match: str | None, etag: str, media_type: str, body: bytes) -> Response:
    if none_match(if_none_match, etag):
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type=media_type, headers={"ETag": etag})
