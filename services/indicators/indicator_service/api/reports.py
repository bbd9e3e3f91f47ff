"""The tertial report robots pull every four months; and the audit log."""

from __future__ import annotations

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service.api.deps import REGISTER, AuditReader, Reader, RegisterDep
from indicator_service.schemas_out import TertialReport
from indicator_service.use_cases import registers, tertial_report
from municipal_shared.kit.audit import AuditEntryOut
from municipal_shared.kit.documents import Rendered
from municipal_shared.kit.pagination import Page, Pagination
from municipal_shared.kit.params import BoardPath, Documents, MunicipalityPath, Session, YearPath
from municipal_shared.kit.problems import problem_responses
from municipal_shared.kit.routing import service_router
from municipal_shared.types import Tertial

router = service_router(tags=["reports"])


@router.get(
    REGISTER + "/reports/{year}/{tertial}",
    operation_id="getTertialReport",
    summary="Every indicator with outcome, target and evaluation; roll-ups per goal and focus area",
    response_model=TertialReport,
    responses=problem_responses(401, 403, 404, 422),
)
async def tertial_report_of(
    municipality_code: MunicipalityPath,
    board_code: BoardPath,
    _: Reader,
    year: YearPath,
    tertial: Tertial,
    documents: Documents,
    request: Request,
) -> Response:
    """Every indicator of the register with its outcome, target and evaluation for the tertial,
    rolled up per council goal and focus area and overall."""

    async def render(session: AsyncSession) -> Rendered:
        return await tertial_report.report_document(
            session, municipality_code, board_code, year, tertial
        )

    # Stored per state of the register: a read is one query (kit/document_store.py).
    return await documents.serve(request, render)


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
    """Every change of the register and its values: who, when, what and why. Never public: needs
    `indicators:read`."""
    return await registers.audit_log(session, register, page)
