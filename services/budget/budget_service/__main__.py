"""`python -m budget_service migrate | seed [FILE...] | serve`."""

from budget_service.models import DOCUMENTS
from budget_service.seed import seed_files
from budget_service.settings import SCRIPT_LOCATION, VERSION_TABLE, BudgetSettings
from municipal_shared.kit.cli import run

if __name__ == "__main__":
    raise SystemExit(
        run(
            "budget_service",
            BudgetSettings(),
            script_location=SCRIPT_LOCATION,
            version_table=VERSION_TABLE,
            app_factory="budget_service.main:create_app",
            seeder=seed_files,
            documents=DOCUMENTS,
        )
    )
