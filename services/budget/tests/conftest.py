"""Budget service tests run against a real database: a temporary SQLite file, or PostgreSQL when
BUDGET_TEST_DATABASE_URL is set (CI). The schema is built by the alembic migrations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from budget_service.main import create_app
from budget_service.models import Base
from budget_service.seed import bundled_files, load_file
from budget_service.settings import SCRIPT_LOCATION, VERSION_TABLE, BudgetSettings
from municipal_shared.kit.settings import AuthSettings
from municipal_shared.kit.testing import bearer, migrated_database, wipe

ALL_SCOPES = "budget:read budget:write budget:decide budget:admin"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return migrated_database(
        "BUDGET_TEST_DATABASE_URL",
        tmp_path_factory.mktemp("db"),
        "budget",
        SCRIPT_LOCATION,
        VERSION_TABLE,
    )


@pytest.fixture(scope="session")
def auth_settings() -> AuthSettings:
    return AuthSettings(mode="development")


@pytest.fixture(scope="session")
async def app(database_url: str, auth_settings: AuthSettings) -> AsyncIterator[object]:
    application = create_app(BudgetSettings(database_url=database_url), auth_settings)
    async with LifespanManager(application):
        yield application


@pytest.fixture(autouse=True)
async def clean_tables(app: object) -> None:
    await wipe(app.state.database.engine, Base.metadata)  # type: ignore[attr-defined]


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://budget.test") as c:
        yield c


@pytest.fixture
def token(auth_settings: AuthSettings) -> Callable[..., dict[str, str]]:
    def make(scopes: str = ALL_SCOPES, subject: str = "tester@linkoping.se") -> dict[str, str]:
        return bearer(auth_settings, scopes, subject)

    return make


@pytest.fixture
async def seeded(app: object) -> Path:
    path = bundled_files()[0]
    async with app.state.database.sessions() as session:  # type: ignore[attr-defined]
        await load_file(session, path)
    return path
