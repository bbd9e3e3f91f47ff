"""The budget service app. Run with `uvicorn --factory budget_service.main:create_app`."""

from __future__ import annotations

from fastapi import FastAPI

from budget_service.api import audit, budgets, export, follow_up, municipalities, versions
from budget_service.models import DOCUMENTS
from budget_service.settings import SCRIPT_LOCATION, VERSION_TABLE, BudgetSettings
from municipal_shared.kit.app import create_service_app
from municipal_shared.kit.settings import AuthSettings

DESCRIPTION = """\
The budget frame of a board from directive to council decision: directive lines, the board's
proposal per activity area with itemised changes, investments, tertial follow-up, an audit log
and an Open Fiscal Data Package export. Amounts are whole thousand SEK (tkr), net cost; every
total is derived. Reads are public unless the operator requires the `budget:read` scope; writes
need `budget:write`, decisions `budget:decide`, the registry `budget:admin`. Every change to an
existing resource needs `If-Match` with the ETag you read. Errors are RFC 9457 problem+json.
"""

TAGS = [
    {"name": "budgets", "description": "Budget documents, versions, phases and decisions"},
    {"name": "follow-up", "description": "Tertial follow-up per activity area"},
    {"name": "audit", "description": "Who changed what, when and why"},
    {"name": "export", "description": "Open Fiscal Data Package"},
    {"name": "registry", "description": "Municipalities and boards"},
]


def create_app(
    settings: BudgetSettings | None = None, auth_settings: AuthSettings | None = None
) -> FastAPI:
    return create_service_app(
        title="Budget service",
        description=DESCRIPTION,
        settings=settings or BudgetSettings(),
        auth_settings=auth_settings or AuthSettings(),
        script_location=SCRIPT_LOCATION,
        version_table=VERSION_TABLE,
        routers=[
            budgets.router,
            versions.router,
            follow_up.router,
            audit.router,
            export.router,
            municipalities.router,
        ],
        openapi_tags=TAGS,
        documents=DOCUMENTS,
    )
