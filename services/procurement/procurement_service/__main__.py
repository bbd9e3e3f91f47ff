"""`python -m procurement_service migrate | serve | rekey`."""

import sys

from municipal_shared.kit.cli import run
from procurement_service.settings import SCRIPT_LOCATION, VERSION_TABLE, ProcurementSettings

if __name__ == "__main__":
    if sys.argv[1:2] == ["rekey"]:  # the operator's key change (rekey.py), not in the kit's CLI
        from procurement_service.rekey import main

        raise SystemExit(main(sys.argv[2:]))
    raise SystemExit(
        run(
            "procurement_service",
            ProcurementSettings(),
            script_location=SCRIPT_LOCATION,
            version_table=VERSION_TABLE,
            app_factory="procurement_service.main:create_app",
        )
    )
