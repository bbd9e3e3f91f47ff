"""Measurement out: per tertial (cumulative or the four months alone) or any date range."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.contracts.procurement import ProcurementMeasurement
from municipal_shared.kit.documents import Rendered
from municipal_shared.kit.params import Documents
from municipal_shared.kit.problems import problem_responses
from municipal_shared.kit.routing import service_router
from municipal_shared.types import Tertial
from procurement_service.api.deps import Admin, MunicipalityPath, Reader, Session, YearPath
from procurement_service.schemas import EmploymentRuleIn
from procurement_service.schemas_out import EmploymentRuleOut
from procurement_service.use_cases import measurement

router = service_router(tags=["measurements"])


Administration = Annotated[str | None, Query(max_length=200, description="One administration only")]


@router.get(
    "/v1/measurements/{municipality_code}/{year}/{tertial}",
    operation_id="getTertialMeasurement",
    summary="SME and employment-requirement figures for a tertial (cumulative from January)",
    response_model=ProcurementMeasurement,
    responses=problem_responses(401, 403, 422),
)
async def tertial_measurement(
    municipality_code: MunicipalityPath,
    year: YearPath,
    tertial: Tertial,
    _: Reader,
    documents: Documents,
    request: Request,
    administration: Administration = None,
    window: Annotated[bool, Query(description="Only the tertial's four months")] = False,
) -> Response:
    """SME and employment-requirement figures of the municipality's procurements for a tertial,
    cumulative from January (or the tertial's four months alone with `window`), optionally for
    one administration."""

    async def render(session: AsyncSession) -> Rendered:
        return await measurement.tertial_document(
            session, municipality_code, year, tertial, window, administration
        )

    # Stored per state of the outcomes: a read is one lookup (kit/document_store.py). One
    # administration's figures are rendered each time: its name is the client's free text.
    return await documents.serve(
        request, render, variant=f"window={window}", store=administration is None
    )


@router.get(
    "/v1/measurements/{municipality_code}",
    operation_id="getRangeMeasurement",
    summary="The same figures for any date range (inclusive)",
    response_model=ProcurementMeasurement,
    responses=problem_responses(401, 403, 422),
)
async def range_measurement(
    municipality_code: MunicipalityPath,
    _: Reader,
    documents: Documents,
    request: Request,
    start: Annotated[dt.date, Query(alias="from", examples=["2018-01-01"])],
    end: Annotated[dt.date, Query(alias="to", examples=["2018-06-30"])],
    administration: Administration = None,
) -> Response:
    """The same figures for any date range of award dates (inclusive), optionally for one
    administration."""

    async def render(session: AsyncSession) -> Rendered:
        return await measurement.range_document(
            session, municipality_code, start, end, administration
        )

    # Any range a client names: summed from the per-day summary each time, not stored.
    return await documents.serve(request, render, store=False)


@router.put(
    "/v1/employment-rules/{municipality_code}",
    operation_id="putEmploymentRule",
    summary="Set the municipality's rule for when an employment requirement is expected",
    response_model=EmploymentRuleOut,
    responses=problem_responses(401, 403, 422),
)
async def put_rule(
    municipality_code: MunicipalityPath, body: EmploymentRuleIn, session: Session, admin: Admin
) -> EmploymentRuleOut:
    """Sets the municipality's rule for when an employment requirement is expected (categories,
    length, size, direct-award threshold). Needs `procurement:admin`."""
    await measurement.set_employment_rule(
        session,
        admin.subject,
        municipality_code,
        [c.value for c in body.categories],
        body.more_than_days,
        body.min_employees,
        body.direct_award_threshold_sek,
    )
    return EmploymentRuleOut.model_validate(body.model_dump())
