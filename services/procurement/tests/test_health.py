"""The service starts, and is ready only once its own database is migrated."""

from pathlib import Path

from municipal_shared.kit.testing import assert_ready_after_migration, database_url_for_tests
from procurement_service.main import create_app
from procurement_service.settings import SCRIPT_LOCATION, VERSION_TABLE, ProcurementSettings


async def test_ready_only_after_migration(tmp_path: Path) -> None:
    url = database_url_for_tests("PROCUREMENT_TEST_DATABASE_URL", tmp_path, "procurement")
    app = create_app(ProcurementSettings(database_url=url))
    await assert_ready_after_migration(app, SCRIPT_LOCATION, url, VERSION_TABLE)
