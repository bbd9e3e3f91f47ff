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

import re
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import (
    BigInteger,
    Column,
    LargeBinary,
    MetaData,
    String,
    Table,
    event,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.elements import TextClause

from municipal_shared.kit.database import SessionFactory, UTCDateTime, dialect_insert

SCOPE_LENGTH = 200
SERVICE_SCOPE = "service"
"""The scope every write of a service bumps (see tracked_sessions)."""
_WROTE = "municipal_shared.documents.wrote"
_READS = re.compile(r"\s*(SELECT|SHOW|EXPLAIN)\b", re.IGNORECASE)


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


def _bump(
    session: AsyncSession | Session, counters: Table, scope: str
) -> postgresql.Insert | sqlite.Insert:
    statement = dialect_insert(session, counters).values(scope=scope, version=1)
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
        statement = state.statement
        if state.is_insert or state.is_update or state.is_delete:
            table = getattr(statement, "table", None)
            if table is None or table.name not in own:
                state.session.info[_WROTE] = True
        elif isinstance(statement, TextClause) and not _READS.match(statement.text):
            state.session.info[_WROTE] = True  # hand-written SQL (bulk paths): not a read

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

    @classmethod
    def of(cls, model: BaseModel, etag: str | None = None) -> Rendered:
        """A response model as the JSON bytes FastAPI would have sent (by alias)."""
        return cls(model.model_dump_json(by_alias=True).encode(), etag)


def tracking(tables: DocumentTables | None) -> SessionFactory | None:
    """The session factory for a service that stores documents, else the default (None)."""
    if tables is None:
        return None
    return lambda engine: tracked_sessions(engine, tables)
