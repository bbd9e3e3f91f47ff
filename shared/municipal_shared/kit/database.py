"""Engine and sessions. Repositories never commit; the service function of a use case does,
once, so a failed commit is an error response and never a 200."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from sqlalchemy import DateTime, TypeDecorator, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from municipal_shared.kit.database_faults import is_database_fault

logger = logging.getLogger("municipal_shared.database")
# Deterministic constraint names, so alembic can alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC timestamp")
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def dialect_insert(
    session: AsyncSession | Session, target: Any
) -> postgresql.Insert | sqlite.Insert:
    """INSERT in the session's dialect, for `on_conflict_do_update` (an upsert) on both."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(target)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_folder(url: str) -> None:
    """A fresh checkout has no var/ folder; SQLite would fail to open the file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def create_engine(
    url: str,
    *,
    connect_timeout: float | None = None,
    statement_timeout: float | None = None,
    **kwargs: Any,
) -> AsyncEngine:
    """An engine for `url`. `connect_timeout` bounds opening a PostgreSQL connection;
    `statement_timeout` bounds a statement (server side, plus a client-side backstop) and, on
    SQLite, the wait for the write lock. None leaves them unbounded (SQLite waits 30 s)."""
    if is_sqlite(url):
        ensure_sqlite_folder(url)
        busy_seconds = 30.0 if statement_timeout is None else statement_timeout
        engine = create_async_engine(url, connect_args={"timeout": busy_seconds}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
            cursor.close()
            # SQLAlchemy, not the driver, decides where transactions begin (see below).
            dbapi_conn.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            # Take the write lock when the transaction starts: a transaction that read first
            # and writes later would otherwise fail at once with "database is locked" when
            # another writer committed in between; this way writers queue (busy_timeout).
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # Plan every statement for its parameters: a generic plan cached while a table was empty
    # (a seq scan) would otherwise stay in use on a prepared statement as the table grows.
    settings = {"plan_cache_mode": "force_custom_plan"}
    connect_args: dict[str, Any] = {"server_settings": settings}
    if connect_timeout is not None:
        connect_args["timeout"] = connect_timeout
    if statement_timeout is not None:
        # The server cancels a statement (or a lock wait) that runs too long and the
        # connection stays usable; the client gives up a connect timeout later, for a server
        # that stopped answering at all.
        settings["statement_timeout"] = str(int(statement_timeout * 1000))
        connect_args["command_timeout"] = statement_timeout + (connect_timeout or 5.0)
    # pre-ping: a pooled connection the server dropped (restart, failover, terminated
    # backend) is replaced on checkout instead of failing the request.
    return create_async_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


SessionFactory = Callable[[AsyncEngine], async_sessionmaker[AsyncSession]]


class Database:
    def __init__(
        self,
        url: str,
        *,
        connect_timeout: float | None = None,
        statement_timeout: float | None = None,
        session_factory: SessionFactory | None = None,
    ) -> None:
        """`session_factory` builds the sessions from the engine where a service needs its
        own (kit/documents.py tracks writes that way)."""
        self.url = url
        self.connect_timeout = connect_timeout
        self.statement_timeout = statement_timeout
        self.engine = create_engine(
            url, connect_timeout=connect_timeout, statement_timeout=statement_timeout
        )
        self.sessions = (
            session_factory(self.engine)
            if session_factory is not None
            else async_sessionmaker(self.engine, expire_on_commit=False)
        )

    async def dispose(self) -> None:
        """Close the pool; a database that stopped answering cannot hold shutdown longer than
        the connect timeout (the connections are then dropped, not closed politely)."""
        if self.connect_timeout is None:
            await self.engine.dispose()
            return
        try:
            async with asyncio.timeout(self.connect_timeout):
                await self.engine.dispose()
        except TimeoutError:
            logger.warning("closing the database pool timed out; connections dropped")
            await self.engine.dispose(close=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.database
    session = database.sessions()
    try:
        yield session
    finally:
        await close_session(session)


async def close_session(session: AsyncSession) -> None:
    """Close, returning the connection. Under the default dependency scope this runs after the
    response was sent: a connection the database dropped meanwhile must not raise here, or the
    server drops the client's keep-alive connection too."""
    try:
        await session.close()
    except Exception as exc:
        if not is_database_fault(exc):
            raise
        logger.warning("closing a session on a broken connection: %s", type(exc).__name__)
        with contextlib.suppress(Exception):  # the connection is gone either way
            await session.invalidate()


async def commit(session: AsyncSession) -> None:
    """The one commit of a use case. A lost race (StaleDataError, IntegrityError) propagates
    and the problem handlers answer 412 or 409; the session rolls back when it closes."""
    await session.commit()
