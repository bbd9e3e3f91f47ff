"""Budget service tests: the shared service fixtures, plus the seeded budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from budget_service.main import create_app
from budget_service.models import Base
from budget_service.seed import bundled_files, load_file
from budget_service.settings import SCRIPT_LOCATION, VERSION_TABLE, BudgetSettings
from municipal_shared.kit.pytest_service import (
    ServiceUnderTest,
    app,
    auth_settings,
    clean_tables,
    client,
    database_url,
    sql_statements,
    token,
)


@pytest.fixture(scope="session")
def service_under_test() -> ServiceUnderTest:
    return ServiceUnderTest(
        name="budget",
        env_var="BUDGET_TEST_DATABASE_URL",
        script_location=SCRIPT_LOCATION,
        version_table=VERSION_TABLE,
        metadata=Base.metadata,
        make_app=lambda url, auth: create_app(BudgetSettings(database_url=url), auth),
        scopes="budget:read budget:write budget:decide budget:admin",
    )


@pytest.fixture
async def seeded(app: Any) -> Path:
    path = bundled_files()[0]
    async with app.state.database.sessions() as session:
        await load_file(session, path)
    return path
