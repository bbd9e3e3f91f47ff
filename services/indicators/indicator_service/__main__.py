"""`python -m indicator_service migrate | seed [FILE...] | serve`."""

from indicator_service.models import DOCUMENTS
from indicator_service.seed import seed_files
from indicator_service.settings import SCRIPT_LOCATION, VERSION_TABLE, IndicatorSettings
from municipal_shared.kit.cli import run

if __name__ == "__main__":
    raise SystemExit(
        run(
            "indicator_service",
            IndicatorSettings(),
            script_location=SCRIPT_LOCATION,
            version_table=VERSION_TABLE,
            app_factory="indicator_service.main:create_app",
            seeder=seed_files,
            documents=DOCUMENTS,
        )
    )
