"""Procurement service tests against a real database: a temporary SQLite file, or PostgreSQL
when PROCUREMENT_TEST_DATABASE_URL is set (CI). The schema is built by the migrations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from municipal_shared.kit.settings import AuthSettings
from municipal_shared.kit.testing import bearer, migrated_database, wipe
from procurement_service.main import create_app
from procurement_service.models import Base
from procurement_service.settings import SCRIPT_LOCATION, VERSION_TABLE, ProcurementSettings

ALL_SCOPES = "procurement:read procurement:write procurement:admin"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return migrated_database(
        "PROCUREMENT_TEST_DATABASE_URL",
        tmp_path_factory.mktemp("db"),
        "procurement",
        SCRIPT_LOCATION,
        VERSION_TABLE,
    )


@pytest.fixture(scope="session")
def auth_settings() -> AuthSettings:
    return AuthSettings(mode="development")


@pytest.fixture(scope="session")
async def app(database_url: str, auth_settings: AuthSettings) -> AsyncIterator[Any]:
    settings = ProcurementSettings(database_url=database_url, relay_enabled=False)
    application = create_app(settings, auth_settings)
    async with LifespanManager(application):
        yield application


@pytest.fixture(autouse=True)
async def clean_tables(app: Any) -> None:
    await wipe(app.state.database.engine, Base.metadata)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://procurement.test") as c:
        yield c


@pytest.fixture
def token(auth_settings: AuthSettings) -> Callable[..., dict[str, str]]:
    def make(scopes: str = ALL_SCOPES, subject: str = "upphandlingssystemet") -> dict[str, str]:
        return bearer(auth_settings, scopes, subject)

    return make
