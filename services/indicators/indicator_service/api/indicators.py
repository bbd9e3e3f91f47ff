"""Indicators of a register: their targets, current outcomes, history and assessments."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from indicator_service.api.deps import REGISTER, Assessor, CodePath, Reader, RegisterDep
from indicator_service.schemas import AssessmentIn
from indicator_service.schemas_out import AssessmentOut, IndicatorOut, IndicatorSummary, OutcomeOut
from indicator_service.use_cases import assessments, indicators
from municipal_shared.kit.pagination import Page, Pagination
from municipal_shared.kit.params import Session
from municipal_shared.kit.problems import problem_responses
from municipal_shared.kit.routing import service_router
from municipal_shared.types import PeriodCode

router = service_router(tags=["indicators"])
INDICATOR = REGISTER + "/indicators/{code}"


@router.get(
    REGISTER + "/indicators",
    operation_id="listIndicators",
    summary="The register's indicators, filtered by group, focus area or council goal",
    response_model=Page[IndicatorSummary],
    responses=problem_responses(401, 403, 404, 422),
)
async def list_indicators(
    _: Reader,
    register: RegisterDep,
    session: Session,
    page: Pagination,
    group: Annotated[
        str | None, Query(max_length=200, examples=["Personal (inkl.Leanlink)"])
    ] = None,
    focus_area: Annotated[str | None, Query(max_length=80)] = None,
    council_goal: Annotated[int | None, Query(ge=1, le=99)] = None,
) -> Page[IndicatorSummary]:
    """The register's indicators, paginated; filter by group, focus area or council goal."""
    return await indicators.list_indicators(
        session, register, page, group, focus_area, council_goal
    )


@router.get(
    INDICATOR,
    operation_id="getIndicator",
    summary="One indicator with its targets (verbatim and typed) and current outcomes",
    response_model=IndicatorOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_indicator(
    _: Reader,
    register: RegisterDep,
    code: CodePath,
    session: Session,
) -> IndicatorOut:
    """One indicator with its targets (verbatim as decided and typed) and its current outcomes."""
    return await indicators.read_indicator(session, register, code)


@router.get(
    INDICATOR + "/history",
    operation_id="getOutcomeHistory",
    summary="Every recorded value of an indicator, corrections included, oldest first",
    response_model=Page[OutcomeOut],
    responses=problem_responses(401, 403, 404, 422),
)
async def outcome_history(
    _: Reader,
    register: RegisterDep,
    code: CodePath,
    session: Session,
    page: Pagination,
    period: Annotated[PeriodCode | None, Query()] = None,
) -> Page[OutcomeOut]:
    """Every value recorded for the indicator, corrections included, oldest first; optionally for
    one period."""
    return await indicators.outcome_history(session, register, code, page, period)


@router.post(
    INDICATOR + "/assessments",
    operation_id="assessMilestone",
    summary="Assess a milestone target (met, partly met, not met) with a motivation",
    status_code=201,
    response_model=AssessmentOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def assess_milestone(
    assessor: Assessor,
    register: RegisterDep,
    code: CodePath,
    body: AssessmentIn,
    session: Session,
) -> AssessmentOut:
    """Records a person's assessment of a milestone target (met, partly met, not met) with a
    motivation. Needs `indicators:assess`."""
    assessment = await assessments.assess(session, assessor.subject, register, code, body)
    return AssessmentOut(
        indicator_code=code,
        year=assessment.year,
        status=assessment.status,
        motivation=assessment.motivation,
        assessed_by=assessment.assessed_by,
        assessed_at=assessment.assessed_at,
    )
