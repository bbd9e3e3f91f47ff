"""The tertial report robots pull every four months; and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from indicator_service import repository as repo
from indicator_service.api.deps import REGISTER, AuditReader, Reader, RegisterDep, Session
from indicator_service.reports.tertial import tertial_report as build_tertial_report
from indicator_service.schemas_out import AuditEntryOut, TertialReport
from municipal_shared.kit.pagination import Page, Pagination, fetch_page
from municipal_shared.kit.problems import problem_responses
from municipal_shared.types import Tertial

router = APIRouter(tags=["reports"])


@router.get(
    REGISTER + "/reports/{year}/{tertial}",
    operation_id="getTertialReport",
    summary="Every indicator with outcome, target and evaluation; roll-ups per goal and focus area",
    response_model=TertialReport,
    responses=problem_responses(401, 403, 404, 422),
)
async def tertial_report(
    register: RegisterDep,
    session: Session,
    _: Reader,
    year: Annotated[int, Path(ge=2000, le=2100, examples=[2018])],
    tertial: Tertial,
) -> TertialReport:
    return await build_tertial_report(session, register, year, tertial)


@router.get(
    REGISTER + "/audit",
    operation_id="listRegisterAudit",
    summary="Every change of the register and its values: who, when, what and why",
    response_model=Page[AuditEntryOut],
    tags=["audit"],
    responses=problem_responses(401, 403, 404, 422),
)
async def list_audit(
    # The token first: without one the answer is 401, whether the register exists or not.
    _: AuditReader,
    register: RegisterDep,
    session: Session,
    page: Pagination,
) -> Page[AuditEntryOut]:
    rows, total = await fetch_page(session, repo.audit_query(register.id), page)
    return page.of([AuditEntryOut.model_validate(r, from_attributes=True) for r in rows], total)
