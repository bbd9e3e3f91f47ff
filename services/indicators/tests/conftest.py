"""Indicator service tests against a real database: a temporary SQLite file, or PostgreSQL
when INDICATORS_TEST_DATABASE_URL is set (CI). The schema is built by the migrations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from indicator_service.main import create_app
from indicator_service.models import Base
from indicator_service.seed import bundled_files, load_file
from indicator_service.settings import SCRIPT_LOCATION, VERSION_TABLE, IndicatorSettings
from municipal_shared.kit.settings import AuthSettings
from municipal_shared.kit.testing import bearer, migrated_database, wipe

ALL_SCOPES = "indicators:read indicators:write indicators:assess indicators:admin"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return migrated_database(
        "INDICATORS_TEST_DATABASE_URL",
        tmp_path_factory.mktemp("db"),
        "indicators",
        SCRIPT_LOCATION,
        VERSION_TABLE,
    )


@pytest.fixture(scope="session")
def auth_settings() -> AuthSettings:
    return AuthSettings(mode="development")


@pytest.fixture(scope="session")
async def app(database_url: str, auth_settings: AuthSettings) -> AsyncIterator[Any]:
    application = create_app(IndicatorSettings(database_url=database_url), auth_settings)
    async with LifespanManager(application):
        yield application


@pytest.fixture(autouse=True)
async def clean_tables(app: Any) -> None:
    await wipe(app.state.database.engine, Base.metadata)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://indicators.test") as c:
        yield c


@pytest.fixture
def token(auth_settings: AuthSettings) -> Callable[..., dict[str, str]]:
    def make(scopes: str = ALL_SCOPES, subject: str = "analytiker@linkoping.se") -> dict[str, str]:
        return bearer(auth_settings, scopes, subject)

    return make


@pytest.fixture
async def seeded(app: Any) -> str:
    return await load_file(app.state.database, bundled_files()[0])
