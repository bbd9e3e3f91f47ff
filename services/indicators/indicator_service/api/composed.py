"""The composed tertial report and its sign-off."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from indicator_service.api.deps import REGISTER, Approver, PeersDep, Reader, RegisterDep
from indicator_service.schemas import ApprovalIn
from indicator_service.schemas_out import ComposedReport
from indicator_service.use_cases import composed_report
from municipal_shared.kit.params import BoardPath, Documents, MunicipalityPath, Session, YearPath
from municipal_shared.kit.problems import problem_responses
from municipal_shared.types import Tertial

router = APIRouter(tags=["reports"])
COMPOSED = REGISTER + "/reports/{year}/{tertial}/composed"


@router.get(
    COMPOSED,
    operation_id="getComposedReport",
    summary="Register, budget follow-up and procurement in one report; frozen once approved",
    response_model=ComposedReport,
    responses=problem_responses(401, 403, 404, 422),
)
async def composed_report_of(
    municipality_code: MunicipalityPath,
    board_code: BoardPath,
    year: YearPath,
    tertial: Tertial,
    _: Reader,
    peers: PeersDep,
    documents: Documents,
    request: Request,
) -> Response:
    composed = await composed_report.document(peers, municipality_code, board_code, year, tertial)
    # Stored per state of the register and the peers' ETags (kit/document_store.py).
    return await documents.serve(request, composed.render, variant=composed.variant)


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
    year: YearPath,
    tertial: Tertial,
    body: ApprovalIn,
    session: Session,
    approver: Approver,
    peers: PeersDep,
) -> ComposedReport:
    return await composed_report.approve(
        session, peers, register, year, tertial, body, approver.subject
    )
