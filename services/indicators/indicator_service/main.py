"""The indicator service. Run with `uvicorn --factory indicator_service.main:create_app`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from indicator_service.api import assignments, composed, indicators, outcomes, registers, reports
from indicator_service.models import DOCUMENTS
from indicator_service.settings import SCRIPT_LOCATION, VERSION_TABLE, IndicatorSettings
from indicator_service.use_cases.composed_report import Peers
from municipal_shared.kit.app import create_service_app
from municipal_shared.kit.peers import peer_client
from municipal_shared.kit.settings import AuthSettings

DESCRIPTION = """\
The board's indicator register: council goals, focus areas, indicators with outcomes per year
and tertial (exact decimals; a missing value is a status, never a zero; corrections keep the
old value visible) and targets of every kind with the decided wording verbatim. Goal
fulfilment per indicator and period says met, partly met, not met or not assessable, with the
rule and the values compared; the tertial report rolls it up per council goal and focus area.
Outcomes arrive by bulk upsert (honouring Idempotency-Key), from Kolada's JSON shape, and are
published as a changes-since feed. Reads are public unless `indicators:read` is required;
writes need `indicators:write`, milestone assessments `indicators:assess`, loading a register
`indicators:admin`, approving a composed report `reports:approve`. Errors are RFC 9457 problem+json.
"""

TAGS = [
    {"name": "registers", "description": "Registers with council goals and focus areas"},
    {"name": "indicators", "description": "Indicators, targets, outcomes and assessments"},
    {"name": "outcomes", "description": "Intake (bulk, Kolada) and the changes feed"},
    {"name": "reports", "description": "Tertial report with goal fulfilment and roll-ups"},
    {"name": "audit", "description": "Who changed what, when and why"},
    {"name": "assignments", "description": "Assignments to the board and their follow-up"},
]


@asynccontextmanager
async def peers(app: FastAPI) -> AsyncIterator[None]:
    """One HTTP client for reading the other services, owned by the app's lifespan: it adds
    the peer token (renewed before it expires) and the request id being served."""
    settings: IndicatorSettings = app.state.settings
    auth: AuthSettings = app.state.auth_settings
    async with peer_client(
        auth,
        settings,
        fixed_token=settings.peer_token,
        subject="indicator-service",
        timeout_seconds=settings.peer_timeout_seconds,
    ) as client:
        app.state.peers = Peers(
            client=client,
            budget_url=settings.budget_url,
            procurement_url=settings.procurement_url,
        )
        yield


def create_app(
    settings: IndicatorSettings | None = None, auth_settings: AuthSettings | None = None
) -> FastAPI:
    return create_service_app(
        title="Indicator service",
        description=DESCRIPTION,
        settings=settings or IndicatorSettings(),
        auth_settings=auth_settings or AuthSettings(),
        script_location=SCRIPT_LOCATION,
        version_table=VERSION_TABLE,
        routers=[
            registers.router,
            indicators.router,
            outcomes.router,
            reports.router,
            composed.router,
            assignments.router,
        ],
        extra_lifespan=peers,
        openapi_tags=TAGS,
        documents=DOCUMENTS,
    )
