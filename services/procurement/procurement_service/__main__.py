"""`python -m procurement_service migrate | serve | rekey`."""

from municipal_shared.kit.cli import run
from procurement_service import rekey
from procurement_service.models import DOCUMENTS
from procurement_service.settings import SCRIPT_LOCATION, VERSION_TABLE, ProcurementSettings

if __name__ == "__main__":
    raise SystemExit(
        run(
            "procurement_service",
            ProcurementSettings(),
            script_location=SCRIPT_LOCATION,
            version_table=VERSION_TABLE,
            app_factory="procurement_service.main:create_app",
            commands={"rekey": ("move sole traders' pseudonyms to a new key", rekey.main)},
            documents=DOCUMENTS,
        )
    )
