"""Migrations build an empty database (SQLite, or PostgreSQL in CI) that matches the models,
and the service is ready only once its own database is at the head."""

from pathlib import Path

import pytest

from indicator_service.main import create_app
from indicator_service.models import Base
from indicator_service.settings import SCRIPT_LOCATION, VERSION_TABLE, IndicatorSettings
from municipal_shared.kit.testing import (
    assert_migrations_build_the_models,
    assert_ready_after_migration,
    empty_database_url,
)


@pytest.fixture
async def empty_url(tmp_path: Path) -> str:
    return await empty_database_url("INDICATORS_TEST_DATABASE_URL", tmp_path, "indicators")


async def test_upgrade_builds_an_empty_database_that_matches_the_models(empty_url: str) -> None:
    await assert_migrations_build_the_models(
        empty_url, SCRIPT_LOCATION, VERSION_TABLE, Base.metadata
    )


async def test_ready_only_after_migration(empty_url: str) -> None:
    app = create_app(IndicatorSettings(database_url=empty_url))
    await assert_ready_after_migration(app, SCRIPT_LOCATION, empty_url, VERSION_TABLE)
