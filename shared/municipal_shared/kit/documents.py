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

Nothing has to remember to invalidate: `tracked_sessions` makes every session of a service
bump the service's counter (`SERVICE_SCOPE`) in the transaction of any write it commits, ORM
or Core, use case, seed or maintenance command alike. `touch` adds finer scopes where a service
wants them. A data migration deletes the stored documents it invalidates.
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
    event,
    func,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session

from municipal_shared.kit.conditional import body_etag, none_match
from municipal_shared.kit.database import UTCDateTime, utc_now

logger = logging.getLogger("municipal_shared.documents")
SCOPE_LENGTH = 200
SERVICE_SCOPE = "service"
"""The scope every write of a service bumps (see tracked_sessions)."""
_WROTE = "municipal_shared.documents.wrote"


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


def _insert(session: AsyncSession | Session, table: Table) -> postgresql.Insert | sqlite.Insert:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _bump(
    session: AsyncSession | Session, counters: Table, scope: str
) -> postgresql.Insert | sqlite.Insert:
    statement = _insert(session, counters).values(scope=scope, version=1)
    return statement.on_conflict_do_update(
        index_elements=[counters.c.scope], set_={"version": counters.c.version + 1}
    )


async def touch(session: AsyncSession, tables: DocumentTables, *scopes: str) -> None:
    """Mark the scopes changed; call it in the transaction of the write, before its commit."""
    for scope in sorted(set(scopes)):  # one lock order, so two writers cannot deadlock
        await session.execute(_bump(session, tables.counters, scope))


def tracked_sessions(
    engine: AsyncEngine, tables: DocumentTables
) -> async_sessionmaker[AsyncSession]:
    """Sessions that bump SERVICE_SCOPE in every transaction that writes, just before it
    commits. Listeners sit on a class of this factory's own, so two services in one process
    (the tests) never count each other's writes."""

    class TrackedSession(Session):
        pass

    own = {tables.counters.name, tables.documents.name}

    @event.listens_for(TrackedSession, "do_orm_execute")
    def _statement(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            table = getattr(state.statement, "table", None)
            if table is None or table.name not in own:
                state.session.info[_WROTE] = True

    @event.listens_for(TrackedSession, "after_flush")
    def _flushed(session: Session, _: object) -> None:
        session.info[_WROTE] = True

    @event.listens_for(TrackedSession, "before_commit")
    def _committing(session: Session) -> None:
        # Runs before commit's own flush: what is still pending counts as written too.
        if session.info.pop(_WROTE, False) or session.new or session.dirty or session.deleted:
            session.execute(_bump(session, tables.counters, SERVICE_SCOPE))

    @event.listens_for(TrackedSession, "after_rollback")
    def _rolled_back(session: Session) -> None:
        session.info.pop(_WROTE, None)

    return async_sessionmaker(engine, sync_session_class=TrackedSession, expire_on_commit=False)


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
    scopes: Sequence[str] = (SERVICE_SCOPE,),
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
