"""Assignments (uppdrag): the council's and the board's assignments to the board, as printed,
and their follow-up per tertial."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Response

from indicator_service.api.deps import REGISTER, Admin, Reader, RegisterDep, Writer
from indicator_service.schemas import AssignmentsIn, FollowUpBatchIn
from indicator_service.schemas_out import (
    AssignmentDetail,
    AssignmentOut,
    AssignmentsLoaded,
    FollowUpBatchResult,
)
from indicator_service.use_cases import assignments
from municipal_shared.kit.pagination import Page, Pagination
from municipal_shared.kit.params import IdempotencyKey, IfMatchToChange, Session
from municipal_shared.kit.problems import problem_responses
from municipal_shared.kit.routing import service_router

router = service_router(tags=["assignments"])
ASSIGNMENTS = REGISTER + "/assignments"
AssignmentCode = Annotated[
    str,
    Path(
        pattern=r"^[a-z0-9][a-z0-9-]{0,79}$",
        description="Assignment code",
        examples=["anbudsgivare-och-sme"],
    ),
]


@router.get(
    ASSIGNMENTS,
    operation_id="listAssignments",
    summary="The register's assignments as printed, each with its newest status",
    response_model=Page[AssignmentOut],
    responses=problem_responses(401, 403, 404, 422),
)
async def list_assignments(
    _: Reader, register: RegisterDep, session: Session, page: Pagination
) -> Page[AssignmentOut]:
    """The register's assignments in printed order, paginated: the title and the board's
    answer verbatim, who gave it and to whom, the council goals and focus areas it serves,
    the indicators and delivered figures that report on it, and its newest status."""
    return await assignments.list_assignments(session, register, page)


@router.put(
    ASSIGNMENTS,
    operation_id="loadAssignments",
    summary="Create or update the register's assignments as decided (idempotent)",
    description=(
        "Needs the scope `indicators:admin`. Assignments are matched by code; ones left out "
        "are kept. Changing assignments that exist needs If-Match with the register's ETag, "
        "and gives the register a new one. Every change is recorded in the audit log."
    ),
    response_model=AssignmentsLoaded,
    responses=problem_responses(400, 401, 403, 404, 409, 412, 422, 428),
)
async def load_assignments(
    admin: Admin,
    municipality_code: str,
    board_code: str,
    body: AssignmentsIn,
    session: Session,
    response: Response,
    if_match: IfMatchToChange = None,
) -> AssignmentsLoaded:
    out = await assignments.load_assignments(
        session, admin.subject, municipality_code, board_code, body, if_match
    )
    response.headers["ETag"] = out.etag
    return out


@router.put(
    ASSIGNMENTS + "/follow-up",
    operation_id="recordAssignmentFollowUp",
    summary="Record assignments' status per tertial; a correction keeps the earlier entry",
    description=(
        "Needs the scope `indicators:write`. Status is one of not_started, ongoing, done, "
        "delayed and cancelled; delayed and cancelled need `status_reason`. An item equal to "
        "the current entry of its assignment and tertial writes nothing. Honours "
        "Idempotency-Key; every change is recorded in the audit log."
    ),
    response_model=FollowUpBatchResult,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_follow_up(
    writer: Writer,
    register: RegisterDep,
    body: FollowUpBatchIn,
    session: Session,
    idempotency_key: IdempotencyKey = None,
) -> FollowUpBatchResult:
    return await assignments.record_follow_up(
        session, writer.subject, register, body, idempotency_key
    )


@router.get(
    ASSIGNMENTS + "/{assignment_code}",
    operation_id="getAssignment",
    summary="One assignment with every follow-up entry, corrections included",
    response_model=AssignmentDetail,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_assignment(
    _: Reader, register: RegisterDep, assignment_code: AssignmentCode, session: Session
) -> AssignmentDetail:
    """One assignment as printed, with every follow-up entry (a correction is a new entry
    that names the one it replaced), oldest first."""
    return await assignments.read_assignment(session, register, assignment_code)
