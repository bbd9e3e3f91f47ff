"""Write each service's OpenAPI document to clients/openapi/<service>.json.

The apps are built in-process with their default settings and asked for `app.openapi()`, so no
server, database or network is needed, and the document is the very one each service serves at
`/openapi.json`. Run with the workspace interpreter: `../.venv/bin/python export_openapi.py`.
"""

from __future__ import annotations

import json
from pathlib import Path

from budget_service.main import create_app as budget_app
from indicator_service.main import create_app as indicator_app
from procurement_service.main import create_app as procurement_app

SERVICES = {"budget": budget_app, "indicators": indicator_app, "procurement": procurement_app}
OUT = Path(__file__).resolve().parent / "openapi"


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, create_app in SERVICES.items():
        document = create_app().openapi()
        path = OUT / f"{name}.json"
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{name}: OpenAPI {document['openapi']} -> {path.relative_to(OUT.parent)}")


if __name__ == "__main__":
    main()
