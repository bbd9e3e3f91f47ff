"""Write the OpenAPI document of each service declared in services.toml to
clients/openapi/<service>.json.

The apps are built in-process with their default settings and asked for `app.openapi()`, so no
server, database or network is needed, and the document is the very one each service serves at
`/openapi.json`. Run with the workspace interpreter: `../.venv/bin/python export_openapi.py`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
from declared_services import SERVICES  # noqa: E402 - the declared services (services.toml)

OUT = Path(__file__).resolve().parent / "openapi"


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for service in SERVICES:
        document = service.load("app")().openapi()
        path = OUT / f"{service.name}.json"
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{service.name}: OpenAPI {document['openapi']} -> {path.relative_to(OUT.parent)}")


if __name__ == "__main__":
    main()
