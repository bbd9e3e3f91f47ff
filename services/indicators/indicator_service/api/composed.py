"""The composed tertial report and its sign-off."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Path, Request
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service import composed
from indicator_service.api.deps import REGISTER, Reader, RegisterDep, Session
from indicator_service.models import AuditEntry, Register, ReportApproval
from indicator_service.report import build_report
from municipal_shared.contracts.base import RequestModel
from municipal_shared.kit.auth import Principal, require_scope
from municipal_shared.kit.database import commit, utc_now
from municipal_shared.kit.problems import Conflict, NotFound, problem_responses
from municipal_shared.types import Tertial

router = APIRouter(tags=["reports"])
COMPOSED = REGISTER + "/reports/{year}/{tertial}/composed"
Year = Annotated[int, Path(ge=2000, le=2100, examples=[2018])]
Approver = Annotated[Principal, require_scope("reports:approve")]


class ApprovalIn(RequestModel):
    decision_reference: str = Field(min_length=3, max_length=200, examples=["KS 2018-10-02 §312"])
    reason: str = Field(min_length=3, max_length=2000, examples=["Delårsrapport godkänd"])


async def _live(
    request: Request, session: AsyncSession, register: Register, year: int, tertial: Tertial
) -> composed.ComposedReport:
    settings = request.app.state.settings
    client: httpx.AsyncClient = request.app.state.peers
    m, b = register.municipality_code, register.board_code
    own = await build_report(session, register, year, tertial)
    return composed.ComposedReport(
        municipality_code=m,
        board_code=b,
        year=year,
        tertial=tertial,
        approved=False,
        sections={
            "indicators": composed.Section(
                source=str(request.url.path).removesuffix("/composed").removesuffix("/approval"),
                retrieved_at=utc_now(),
                status="available",
                data=own.model_dump(mode="json"),
            ),
            "budget": await composed.read_section(
                client,
                composed.budget_url(settings.budget_url, m, b, year, tertial),
                composed.BUDGET_CONTRACT,
            ),
            "procurement": await composed.read_section(
                client, composed.procurement_url(settings.procurement_url, m, year, tertial)
            ),
        },
    )


async def _approval(
    session: AsyncSession, register: Register, year: int, tertial: Tertial
) -> ReportApproval | None:
    query = select(ReportApproval).where(
        ReportApproval.register_id == register.id,
        ReportApproval.year == year,
        ReportApproval.tertial == tertial.value,
    )
    return (await session.execute(query)).scalar_one_or_none()


def _frozen(approval: ReportApproval, live: composed.ComposedReport) -> composed.ComposedReport:
    snapshot = composed.ComposedReport.model_validate(approval.snapshot)
    snapshot.approved = True
    snapshot.approval = {
        "decision_reference": approval.decision_reference,
        "approved_by": approval.approved_by,
        "approved_at": approval.approved_at.isoformat(),
    }
    now = {k: s.data for k, s in live.sections.items() if s.status == "available"}
    then = {k: s.data for k, s in snapshot.sections.items() if k in now}
    snapshot.changes_since_approval = composed.changes(then, now)
    return snapshot


@router.get(
    COMPOSED,
    operation_id="getComposedReport",
    summary="Register, budget follow-up and procurement in one report; frozen once approved",
    response_model=composed.ComposedReport,
    responses=problem_responses(401, 403, 404, 422),
)
async def composed_report(
    register: RegisterDep,
    year: Year,
    tertial: Tertial,
    session: Session,
    _: Reader,
    request: Request,
) -> composed.ComposedReport:
    if not register.first_year <= year <= register.last_year:
        raise NotFound(
            f"The register covers {register.first_year}-{register.last_year}, not {year}"
        )
    live = await _live(request, session, register, year, tertial)
    approval = await _approval(session, register, year, tertial)
    return live if approval is None else _frozen(approval, live)


@router.post(
    COMPOSED + "/approval",
    operation_id="approveComposedReport",
    summary="Approve (sign off) the composed report: its figures are frozen as they are now",
    status_code=201,
    response_model=composed.ComposedReport,
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
) -> composed.ComposedReport:
    if await _approval(session, register, year, tertial) is not None:
        raise Conflict(f"The {year} {tertial} report is approved already")
    live = await _live(request, session, register, year, tertial)
    missing = [name for name, s in live.sections.items() if s.status != "available"]
    if missing:
        raise Conflict(
            f"Cannot approve while {', '.join(missing)} is unavailable", sections=missing
        )
    approval = ReportApproval(
        register_id=register.id,
        year=year,
        tertial=tertial.value,
        decision_reference=body.decision_reference,
        approved_by=approver.subject,
        snapshot=live.model_dump(mode="json"),
    )
    session.add(approval)
    session.add(
        AuditEntry(
            register_id=register.id,
            actor=approver.subject,
            action="report.approved",
            target=f"{register.municipality_code}/{register.board_code}/{year}/{tertial}",
            reason=body.reason,
            changes=[{"path": "/approval", "old": None, "new": body.decision_reference}],
        )
    )
    await commit(session)
    return _frozen(approval, live)
