"""Which failures are the database's (503 with Retry-After) and which stay a 500, answered over
real HTTP on a keep-alive connection that survives both; security headers on every response,
the catch-all 500 included; the engine carries its timeouts."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from municipal_shared.kit.database import create_engine
from municipal_shared.kit.database_faults import install_database_fault_handlers, is_database_fault
from municipal_shared.kit.edge import install_edge_middleware
from municipal_shared.kit.problems import install_problem_handlers
from municipal_shared.kit.request_id import RequestIdMiddleware
from municipal_shared.kit.testing import assert_problem, database_url_for_tests
from municipal_shared.kit.testing_faults import connection_port, served


def _wrapped(
    cls: type[sa_exc.DBAPIError], orig: Exception, *, connection_invalidated: bool = False
) -> sa_exc.DBAPIError:
    return cls("SELECT 1", {}, orig, connection_invalidated=connection_invalidated)


def _with_sqlstate(code: str) -> Exception:
    orig = Exception("server said no")
    orig.sqlstate = code  # type: ignore[attr-defined]  # asyncpg's errors carry it; a stand-in
    return orig


FAULTS = {
    "connection invalidated": _wrapped(
        sa_exc.DBAPIError, Exception("closed"), connection_invalidated=True
    ),
    "sqlite locked": _wrapped(sa_exc.OperationalError, Exception("database is locked")),
    "connection closed": _wrapped(sa_exc.InterfaceError, Exception("connection is closed")),
    "statement timeout": _wrapped(sa_exc.DBAPIError, _with_sqlstate("57014")),
    "admin shutdown": _wrapped(sa_exc.DBAPIError, _with_sqlstate("57P01")),
    "too many connections": _wrapped(sa_exc.DBAPIError, _with_sqlstate("53300")),
    "deadlock": _wrapped(sa_exc.DBAPIError, _with_sqlstate("40P01")),
    "pool exhausted": sa_exc.TimeoutError("QueuePool limit reached"),
    "asyncpg connection gone": asyncpg.ConnectionDoesNotExistError("gone"),
    "connect refused": ConnectionRefusedError(111, "Connect call failed"),
    "connect timed out": TimeoutError(),
    "host unknown": socket.gaierror(-2, "Name or service not known"),
}
NOT_FAULTS = {
    "value too long": _wrapped(sa_exc.DBAPIError, _with_sqlstate("22001")),
    "no sqlstate": _wrapped(sa_exc.DBAPIError, Exception("odd")),
    "a file the code lacks": FileNotFoundError(2, "No such file"),
    "a bug": RuntimeError("bug"),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_the_database_being_unavailable_is_a_fault(name: str) -> None:
    assert is_database_fault(FAULTS[name])


@pytest.mark.parametrize("name", list(NOT_FAULTS))
def test_a_bug_or_bad_data_is_not(name: str) -> None:
    assert not is_database_fault(NOT_FAULTS[name])


def _app() -> FastAPI:
    app = FastAPI()
    app.add_middleware(RequestIdMiddleware)
    install_problem_handlers(app)
    install_database_fault_handlers(app)
    install_edge_middleware(app, hsts_max_age_seconds=0)
    raising = {**FAULTS, **NOT_FAULTS}

    @app.get("/raise/{name}")
    async def raise_it(name: str) -> None:
        raise raising[name]

    @app.get("/ok")
    async def ok() -> dict[str, str]:
        return {"status": "ok"}

    return app


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with served(_app()) as serving:
        limits = httpx.Limits(max_connections=1)
        async with httpx.AsyncClient(base_url=serving.url, limits=limits) as client:
            yield client


async def test_faults_are_503_and_other_errors_500_on_one_kept_alive_connection(
    http: httpx.AsyncClient,
) -> None:
    ports = set()
    for name in FAULTS:
        response = await http.get(f"/raise/{name}")
        body = assert_problem(response, 503)
        assert body["type"].endswith("/database-unavailable"), name
        assert response.headers["retry-after"] == "5"
        assert response.headers["x-request-id"] == body["request_id"]
        assert response.headers["x-content-type-options"] == "nosniff"
        ports.add(connection_port(response))
    for name in ("value too long", "no sqlstate", "a file the code lacks"):
        response = await http.get(f"/raise/{name}")
        body = assert_problem(response, 500)
        assert "server said no" not in response.text and "odd" not in response.text
        ports.add(connection_port(response))
    assert len(ports) == 1, "a connection was dropped"


async def test_the_catch_all_500_carries_the_security_headers(http: httpx.AsyncClient) -> None:
    response = await http.get("/raise/a bug")
    assert_problem(response, 500)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    authenticated = await http.get("/ok", headers={"Authorization": "Bearer x"})
    assert authenticated.headers["cache-control"] == "no-store"


async def test_the_engine_bounds_statements_and_lock_waits(tmp_path: Path) -> None:
    url = database_url_for_tests("OUTBOX_TEST_DATABASE_URL", tmp_path, "timeouts")
    engine = create_engine(url, connect_timeout=2.0, statement_timeout=3.0)
    try:
        async with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 3000
            else:
                assert (await conn.execute(text("SHOW statement_timeout"))).scalar() == "3s"
                raw = await conn.get_raw_connection()
                driver = raw.driver_connection
                assert driver is not None
                assert driver._config.command_timeout == 5.0  # statement + connect
    finally:
        await engine.dispose()


def test_sqlstate_on_a_raw_asyncpg_error() -> None:
    canceled = asyncpg.QueryCanceledError("canceling statement due to statement timeout")
    assert canceled.sqlstate == "57014" and is_database_fault(canceled)
    unique = asyncpg.UniqueViolationError("duplicate key")
    assert not is_database_fault(unique)
