"""A database that is unreachable, stalled or dropped the connection is a 503 with Retry-After,
not a 500: the client may retry, and an operator sees the database, not the code, in the logs.

The handlers are exception handlers of the app (Starlette's ExceptionMiddleware), not the
catch-all: the catch-all re-raises after answering, and the server then closes the client's
keep-alive connection. Answering here keeps it."""

from __future__ import annotations

import logging
import socket
from types import TracebackType

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc

from municipal_shared.kit.problems import internal_error, problem_response

RETRY_AFTER_SECONDS = 5
"""Long enough for a pool to reconnect or a failover to finish, short for a client to wait."""

logger = logging.getLogger("municipal_shared.database")

# SQLSTATEs that mean "not now" rather than "never": connection exceptions (08), insufficient
# resources such as too many connections (53), operator intervention such as a statement
# timeout, an administrator's termination or a server starting up (57); a lock timeout, and
# the serialization failures and deadlocks that a retry resolves.
_TRANSIENT_CLASSES = frozenset({"08", "53", "57"})
_TRANSIENT_CODES = frozenset({"40001", "40P01", "55P03"})
_DRIVERS = ("asyncpg", "aiosqlite", "sqlite3", "sqlalchemy")

# What reaches the handler: SQLAlchemy's wrapped driver errors and pool timeout; what asyncpg
# raises before SQLAlchemy wraps anything (connect: refused, unresolvable, timed out).
HANDLED: tuple[type[Exception], ...] = (
    sa_exc.DBAPIError,
    sa_exc.TimeoutError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,  # TimeoutError, ConnectionError and socket.gaierror are OSErrors
)


def _transient_sqlstate(code: object) -> bool:
    return isinstance(code, str) and (code[:2] in _TRANSIENT_CLASSES or code in _TRANSIENT_CODES)


def _raised_in_driver(tb: TracebackType | None) -> bool:
    while tb is not None:
        if str(tb.tb_frame.f_globals.get("__name__", "")).startswith(_DRIVERS):
            return True
        tb = tb.tb_next
    return False


def is_database_fault(exc: BaseException) -> bool:
    """The database is unavailable for now: unreachable, too slow, or the connection broke."""
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        # SQLite: locked or busy past the timeout, I/O errors; asyncpg: a closed connection.
        if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
            return True
        return _transient_sqlstate(getattr(exc.orig, "sqlstate", None))
    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(exc, asyncpg.ConnectionDoesNotExistError):
        return True
    if isinstance(exc, asyncpg.PostgresError):
        return _transient_sqlstate(exc.sqlstate)
    if isinstance(exc, TimeoutError | ConnectionError | socket.gaierror):
        return True
    # e.g. asyncpg's "Multiple exceptions" when every address of the host refused
    return isinstance(exc, OSError) and _raised_in_driver(exc.__traceback__)


def database_unavailable(request: Request, exc: BaseException) -> JSONResponse:
    first_line = next(iter(str(exc).splitlines()), "")
    logger.warning("database unavailable: %s: %s", type(exc).__name__, first_line[:200])
    return problem_response(
        503,
        "database-unavailable",
        "Database unavailable",
        "The database did not answer in time or dropped the connection; the request may not "
        "have been applied. Try again after Retry-After seconds.",
        request,
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def install_database_fault_handlers(app: FastAPI) -> None:
    """503 for database faults; any other exception of the same types keeps its 500, answered
    here as well so the connection survives."""

    async def on_fault(request: Request, exc: Exception) -> JSONResponse:
        if is_database_fault(exc):
            return database_unavailable(request, exc)
        return internal_error(request, exc)

    for exception_type in HANDLED:
        app.add_exception_handler(exception_type, on_fault)
