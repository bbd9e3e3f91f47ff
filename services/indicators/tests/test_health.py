"""The service starts, and is ready only once its own database is migrated."""

from pathlib import Path

from indicator_service.main import create_app
from indicator_service.settings import SCRIPT_LOCATION, VERSION_TABLE, IndicatorSettings
from municipal_shared.kit.testing import assert_ready_after_migration, database_url_for_tests


async def test_ready_only_after_migration(tmp_path: Path) -> None:
    url = database_url_for_tests("INDICATORS_TEST_DATABASE_URL", tmp_path, "indicators")
    app = create_app(IndicatorSettings(database_url=url))
    await assert_ready_after_migration(app, SCRIPT_LOCATION, url, VERSION_TABLE)
