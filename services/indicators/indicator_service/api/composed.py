"""The composed tertial report and its sign-off."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import Field

from indicator_service.api.deps import REGISTER, Reader, RegisterDep, Session
from indicator_service.reports import composed
from indicator_service.reports.snapshot import ComposedReport
from municipal_shared.contracts.base import RequestModel
from municipal_shared.kit.auth import Principal, require_scope
from municipal_shared.kit.problems import problem_responses
from municipal_shared.types import Tertial

router = APIRouter(tags=["reports"])
COMPOSED = REGISTER + "/reports/{year}/{tertial}/composed"
Year = Annotated[int, Path(ge=2000, le=2100, examples=[2018])]
Approver = Annotated[Principal, require_scope("reports:approve")]


class ApprovalIn(RequestModel):
    decision_reference: str = Field(min_length=3, max_length=200, examples=["KS 2018-10-02 §312"])
    reason: str = Field(min_length=3, max_length=2000, examples=["Delårsrapport godkänd"])


@router.get(
    COMPOSED,
    operation_id="getComposedReport",
    summary="Register, budget follow-up and procurement in one report; frozen once approved",
    response_model=ComposedReport,
    responses=problem_responses(401, 403, 404, 422),
)
async def composed_report_of(
    register: RegisterDep,
    year: Year,
    tertial: Tertial,
    session: Session,
    _: Reader,
    request: Request,
) -> ComposedReport:
    return await composed.read(session, request.app.state.peers, register, year, tertial)


@router.post(
    COMPOSED + "/approval",
    operation_id="approveComposedReport",
    summary="Approve (sign off) the composed report: its figures are frozen as they are now",
    status_code=201,
    response_model=ComposedReport,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def approve(
    register: RegisterDep,
    year: Year,
    tertial: Tertial,
    body: ApprovalIn,
    session: Session,
    approver: Approver,
    request: Request,
) -> ComposedReport:
    return await composed.approve(
        session,
        request.app.state.peers,
        register,
        year,
        tertial,
        decision_reference=body.decision_reference,
        reason=body.reason,
        actor=approver.subject,
    )
