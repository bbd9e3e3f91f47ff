"""Registers: the council goals, focus areas and indicators of a board, as decided."""

from __future__ import annotations

from fastapi import Response

from indicator_service.api.deps import REGISTER, Admin, Reader, RegisterDep
from indicator_service.schemas import RegisterIn
from indicator_service.schemas_out import RegisterOut
from indicator_service.use_cases import registers
from municipal_shared.kit.pagination import Page, Pagination
from municipal_shared.kit.params import IfMatchToChange, Session
from municipal_shared.kit.problems import problem_responses
from municipal_shared.kit.routing import service_router

router = service_router(tags=["registers"])
ETAG = {
    "ETag": {"description": "Send as If-Match to change the register", "schema": {"type": "string"}}
}


@router.get(
    "/v1/registers",
    operation_id="listRegisters",
    summary="List indicator registers",
    response_model=Page[RegisterOut],
    responses=problem_responses(401, 403, 422),
)
async def list_registers(session: Session, _: Reader, page: Pagination) -> Page[RegisterOut]:
    """The indicator registers, one per municipality and board, paginated."""
    return await registers.list_registers(session, page)


@router.get(
    REGISTER,
    operation_id="getRegister",
    summary="A register's council goals, focus areas and size",
    response_model=RegisterOut,
    responses={
        200: {"description": "The register", "headers": ETAG},
        **problem_responses(401, 403, 404, 422),
    },
)
async def get_register(
    _: Reader,
    register: RegisterDep,
    session: Session,
    response: Response,
) -> RegisterOut:
    """A register's council goals, focus areas and size, with the ETag that a change sends as
    If-Match."""
    out = await registers.read_register(session, register)
    response.headers["ETag"] = out.etag
    return out


@router.put(
    REGISTER,
    operation_id="loadRegister",
    summary="Create or update a register as decided, with its outcomes (idempotent)",
    description=(
        "Needs the scope `indicators:admin`. A tolerance band (the register's "
        "`default_tolerance_percent`, an indicator's `tolerance_percent`) exists only where the "
        "municipality set one and is accepted only with its stated source "
        "(`default_tolerance_source`, `tolerance_source`); without a band every target is "
        "evaluated exactly as worded. Every change is recorded in the audit log."
    ),
    response_model=RegisterOut,
    responses={
        201: {"description": "Created", "model": RegisterOut, "headers": ETAG},
        200: {"description": "Updated or unchanged", "headers": ETAG},
        **problem_responses(400, 401, 403, 409, 412, 422, 428),
    },
)
async def load_register(
    municipality_code: str,
    board_code: str,
    body: RegisterIn,
    session: Session,
    admin: Admin,
    response: Response,
    if_match: IfMatchToChange = None,
) -> RegisterOut:
    out, what = await registers.load_register(
        session, admin.subject, municipality_code, board_code, body, if_match
    )
    response.status_code = 201 if what == "created" else 200
    response.headers["ETag"] = out.etag
    return out
