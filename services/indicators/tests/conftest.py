"""Indicator service tests: the shared service fixtures, plus the seeded register."""

from __future__ import annotations

from typing import Any

import pytest

from indicator_service.main import create_app
from indicator_service.models import Base
from indicator_service.seed import bundled_files, load_file
from indicator_service.settings import SCRIPT_LOCATION, VERSION_TABLE, IndicatorSettings
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
        name="indicators",
        env_var="INDICATORS_TEST_DATABASE_URL",
        script_location=SCRIPT_LOCATION,
        version_table=VERSION_TABLE,
        metadata=Base.metadata,
        # Peers that nothing answers: the composed report must mark them unavailable.
        make_app=lambda url, auth: create_app(
            IndicatorSettings(
                database_url=url,
                budget_url="http://127.0.0.1:9",
                procurement_url="http://127.0.0.1:9",
            ),
            auth,
        ),
        scopes="indicators:read indicators:write indicators:assess indicators:admin"
        " reports:approve",
        subject="analytiker@linkoping.se",
    )


@pytest.fixture
async def seeded(app: Any) -> str:
    return await load_file(app.state.database, bundled_files()[0])
