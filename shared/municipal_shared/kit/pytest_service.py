"""The fixtures every service's test suite uses, in one place. A service's conftest defines a
`service_under_test` fixture returning a ServiceUnderTest and imports these fixtures.

The database is real: a temporary SQLite file, or PostgreSQL when the service's
`<PREFIX>_TEST_DATABASE_URL` is set (CI), built by the service's own migrations; every test
starts from empty tables. Tests only: asgi-lifespan is a development dependency."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import MetaData, event

from municipal_shared.kit.settings import AuthSettings
from municipal_shared.kit.testing import bearer, migrated_database, wipe


@dataclass(frozen=True)
class ServiceUnderTest:
    name: str  # also the database file name
    env_var: str  # PostgreSQL URL for the tests, when set
    script_location: str
    version_table: str
    metadata: MetaData
    make_app: Callable[[str, AuthSettings], FastAPI]  # (database url, auth) -> app
    scopes: str  # every scope of the service, for the default test token
    subject: str = "tester@linkoping.se"


@pytest.fixture(scope="session")
def database_url(
    service_under_test: ServiceUnderTest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    s = service_under_test
    return migrated_database(
        s.env_var, tmp_path_factory.mktemp("db"), s.name, s.script_location, s.version_table
    )


@pytest.fixture(scope="session")
def auth_settings() -> AuthSettings:
    return AuthSettings(mode="development")


@pytest.fixture(scope="session")
async def app(
    service_under_test: ServiceUnderTest, database_url: str, auth_settings: AuthSettings
) -> AsyncIterator[Any]:
    application = service_under_test.make_app(database_url, auth_settings)
    async with LifespanManager(application):
        yield application


@pytest.fixture(autouse=True)
async def clean_tables(app: Any, service_under_test: ServiceUnderTest) -> None:
    await wipe(app.state.database.engine, service_under_test.metadata)


@pytest.fixture
async def client(
    app: Any, service_under_test: ServiceUnderTest
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    base_url = f"http://{service_under_test.name}.test"
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as c:
        yield c


@pytest.fixture
def token(
    service_under_test: ServiceUnderTest, auth_settings: AuthSettings
) -> Callable[..., dict[str, str]]:
    def make(scopes: str | None = None, subject: str | None = None) -> dict[str, str]:
        return bearer(
            auth_settings,
            service_under_test.scopes if scopes is None else scopes,
            subject or service_under_test.subject,
        )

    return make


@pytest.fixture
def sql_statements(app: Any) -> Iterator[list[str]]:
    """Every SQL statement the app sends through SQLAlchemy while the test runs (SQLite's
    BEGIN left out: a transaction start, not a query)."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        if not args[2].startswith("BEGIN"):
            seen.append(args[2])

    engine = app.state.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)
