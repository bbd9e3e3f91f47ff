"""Documents served like static files: rendered once per state of the data, stored, and read
back with one indexed query.

A service keeps two tables (added to its metadata by `document_tables`, created by its
migrations):
- `change_counter`: one row per scope (a budget, a register, a municipality's procurements)
  whose `version` every write to that scope bumps, in the write's own transaction (`touch`).
- `stored_document`: the last rendering of each document path, with the sum of its scopes'
  versions when it was rendered, its ETag and its bytes.

Counters only grow, so the sum over a document's scopes identifies the state it was rendered
from: a read compares the stored sum with the current one in the same query and serves the
stored bytes only when they match. The check is in the database, so every worker and pod
agrees, and a read after an acknowledged write never gets the old bytes. `variant` separates
renderings of one path that depend on more than the counters (a peer's ETag, a parameter).

Every write path must `touch` the scopes it changes: use cases, bulk paths, seeding and
maintenance commands alike; a data migration deletes the stored documents it invalidates.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from fastapi import Request, Response
from sqlalchemy import (
    BigInteger,
    Column,
    LargeBinary,
    MetaData,
    String,
    Table,
    and_,
    func,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.kit.conditional import body_etag, none_match
from municipal_shared.kit.database import UTCDateTime, utc_now

logger = logging.getLogger("municipal_shared.documents")
SCOPE_LENGTH = 200


@dataclass(frozen=True)
class DocumentTables:
    counters: Table
    documents: Table


def document_tables(metadata: MetaData) -> DocumentTables:
    """The two tables, on the service's metadata (its migrations create them)."""
    counters = Table(
        "change_counter",
        metadata,
        Column("scope", String(SCOPE_LENGTH), primary_key=True),
        Column("version", BigInteger, nullable=False),
    )
    documents = Table(
        "stored_document",
        metadata,
        Column("path", String(500), primary_key=True),
        Column("variant", String(500), nullable=False),
        Column("counter_sum", BigInteger, nullable=False),
        Column("etag", String(200), nullable=False),
        Column("media_type", String(100), nullable=False),
        Column("body", LargeBinary, nullable=False),
        Column("stored_at", UTCDateTime(), nullable=False),
    )
    return DocumentTables(counters, documents)


def _insert(session: AsyncSession, table: Table) -> postgresql.Insert | sqlite.Insert:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


async def touch(session: AsyncSession, tables: DocumentTables, *scopes: str) -> None:
    """Mark the scopes changed; call it in the transaction of the write, before its commit."""
    counters = tables.counters
    for scope in sorted(set(scopes)):  # one lock order, so two writers cannot deadlock
        statement = _insert(session, counters).values(scope=scope, version=1)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[counters.c.scope],
                set_={"version": counters.c.version + 1},
            )
        )


@dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str | None = None  # the route's own validator (a row version); else a digest
    media_type: str = "application/json"


async def serve(
    request: Request,
    session: AsyncSession,
    tables: DocumentTables,
    *,
    scopes: Sequence[str],
    render: Callable[[], Awaitable[Rendered]],
    variant: str = "",
    headers: dict[str, str] | None = None,
) -> Response:
    """The document at the request's path: 304 when If-None-Match names the current one, the
    stored bytes when they are current, else rendered now and stored for the next read."""
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    counters, documents = tables.counters, tables.documents
    current = (
        select(func.coalesce(func.sum(counters.c.version), 0).label("total"))
        .where(counters.c.scope.in_(list(scopes)))
        .subquery()
    )
    found = (
        await session.execute(
            select(current.c.total, documents.c.etag, documents.c.media_type, documents.c.body)
            .select_from(current)
            .outerjoin(
                documents,
                and_(
                    documents.c.path == literal(path),
                    documents.c.variant == literal(variant),
                    documents.c.counter_sum == current.c.total,
                ),
            )
        )
    ).one()
    extra = headers or {}
    if found.etag is not None:
        if none_match(request.headers.get("if-none-match"), found.etag):
            return Response(status_code=304, headers={"ETag": found.etag, **extra})
        return Response(
            found.body, media_type=found.media_type, headers={"ETag": found.etag, **extra}
        )
    rendered = await render()
    etag = rendered.etag or body_etag(rendered.body)
    await _store(session, documents, path, variant, int(found.total), etag, rendered)
    if none_match(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={"ETag": etag, **extra})
    return Response(rendered.body, media_type=rendered.media_type, headers={"ETag": etag, **extra})


async def _store(
    session: AsyncSession,
    documents: Table,
    path: str,
    variant: str,
    counter_sum: int,
    etag: str,
    rendered: Rendered,
) -> None:
    """Keep this rendering for the next read. Two workers rendering at once store equal
    bytes; the later state wins, so a slow render of an older state never replaces a newer."""
    values = {
        "path": path,
        "variant": variant,
        "counter_sum": counter_sum,
        "etag": etag,
        "media_type": rendered.media_type,
        "body": rendered.body,
        "stored_at": utc_now(),
    }
    statement = _insert(session, documents).values(**values)
    excluded = statement.excluded
    try:
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[documents.c.path],
                set_={k: excluded[k] for k in values if k != "path"},
                where=(documents.c.counter_sum <= excluded.counter_sum),
            )
        )
        await session.commit()
    except SQLAlchemyError:  # the reader still gets its document; the next read stores it
        logger.warning("storing the rendering of %s failed", path, exc_info=True)
        await session.rollback()
