"""The indicator service. Run with `uvicorn --factory indicator_service.main:create_app`."""

from __future__ import annotations

from fastapi import FastAPI

from indicator_service.settings import SCRIPT_LOCATION, VERSION_TABLE, IndicatorSettings
from municipal_shared.kit.app import create_service_app
from municipal_shared.kit.settings import AuthSettings

DESCRIPTION = (
    "The indicator register, targets of every kind and goal fulfilment per tertial. "
    "Filled by its own issue; for now it answers health and readiness."
)


def create_app(
    settings: IndicatorSettings | None = None, auth_settings: AuthSettings | None = None
) -> FastAPI:
    return create_service_app(
        title="Indicator service",
        description=DESCRIPTION,
        version="0.1.0",
        settings=settings or IndicatorSettings(),
        auth_settings=auth_settings or AuthSettings(),
        script_location=SCRIPT_LOCATION,
        version_table=VERSION_TABLE,
        routers=[],
        openapi_tags=[],
    )
