"""The procurement service. Run with `uvicorn --factory procurement_service.main:create_app`."""

from __future__ import annotations

from fastapi import FastAPI

from municipal_shared.kit.app import create_service_app
from municipal_shared.kit.settings import AuthSettings
from procurement_service.settings import SCRIPT_LOCATION, VERSION_TABLE, ProcurementSettings

DESCRIPTION = (
    "Tender outcomes from the procurement system, SME and employment-requirement "
    "measurement per tertial. Filled by its own issue; for now it answers health and readiness."
)


def create_app(
    settings: ProcurementSettings | None = None, auth_settings: AuthSettings | None = None
) -> FastAPI:
    return create_service_app(
        title="Procurement service",
        description=DESCRIPTION,
        version="0.1.0",
        settings=settings or ProcurementSettings(),
        auth_settings=auth_settings or AuthSettings(),
        script_location=SCRIPT_LOCATION,
        version_table=VERSION_TABLE,
        routers=[],
        openapi_tags=[],
    )
