"""The procurement service. Run with `uvicorn --factory procurement_service.main:create_app`."""

from __future__ import annotations

from fastapi import FastAPI

from municipal_shared.kit.app import create_service_app
from municipal_shared.kit.settings import AuthSettings
from procurement_service.api import measurements, ocds, ocds_out, outbox, procurements
from procurement_service.models import DOCUMENTS, OUTBOX
from procurement_service.settings import (
    SCRIPT_LOCATION,
    VERSION_TABLE,
    ProcurementSettings,
    refuse_without_personal_data_key,
)
from procurement_service.worker import background

DESCRIPTION = """\
Tender outcomes posted by the procurement system (one by the buyer's reference, or many at
once), and the measurement the board follows every tertial: bidders per procurement, EU size
classes (micro, small, medium, large, no data) of bidders and winners, single-bid share, the
employment requirement (eligible by the municipality's rule, set, set and signed) and direct
awards above the advertising threshold. Every figure says how many procurements it rests on
and is null rather than 0 when none qualify. A sole trader's organisation number is a personal
identity number: it is replaced by a keyed hash on arrival and never returned. Writes need
`procurement:write`, the employment rule `procurement:admin`. Errors are RFC 9457 problem+json.
"""

TAGS = [
    {"name": "procurements", "description": "Tender outcomes in the native format"},
    {"name": "ocds", "description": "OCDS 1.1 release and record packages"},
    {"name": "measurements", "description": "SME and employment-requirement measurement"},
    {"name": "outbox", "description": "Delivery to the indicator register; dead letters"},
]


def create_app(
    settings: ProcurementSettings | None = None, auth_settings: AuthSettings | None = None
) -> FastAPI:
    settings = settings or ProcurementSettings()
    auth_settings = auth_settings or AuthSettings()
    refuse_without_personal_data_key(settings, auth_settings.mode)
    # A package or a bulk PUT of a thousand procurements is larger than the default limit.
    package = settings.max_package_bytes
    return create_service_app(
        title="Procurement service",
        description=DESCRIPTION,
        settings=settings,
        auth_settings=auth_settings,
        script_location=SCRIPT_LOCATION,
        version_table=VERSION_TABLE,
        routers=[
            procurements.router,
            ocds.router,
            ocds_out.router,
            measurements.router,
            outbox.router,
        ],
        extra_lifespan=background,
        body_limits={"postOcdsPackage": package, "putProcurements": package},
        openapi_tags=TAGS,
        documents=DOCUMENTS,
        outbox=OUTBOX,  # its backlog on /metrics
    )
