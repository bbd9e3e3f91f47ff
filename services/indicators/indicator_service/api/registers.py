"""Registers: the council goals, focus areas and indicators of a board, as decided."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service import repository as repo
from indicator_service import service
from indicator_service.api.deps import REGISTER, Admin, IfMatch, Reader, RegisterDep, Session
from indicator_service.models import Register
from indicator_service.presenters import register_out
from indicator_service.schemas import RegisterIn
from indicator_service.schemas_out import RegisterOut
from municipal_shared.kit.pagination import Page, Pagination, fetch_page
from municipal_shared.kit.problems import InvalidContent, problem_responses

router = APIRouter(tags=["registers"])
ETAG = {
    "ETag": {"description": "Send as If-Match to change the register", "schema": {"type": "string"}}
}


async def _register_out(
    session: AsyncSession, register: Register, response: Response | None = None
) -> RegisterOut:
    contents = await repo.register_contents(session, [register.id])
    etag = service.register_etag(register)
    if response is not None:
        response.headers["ETag"] = etag
    return register_out(register, contents[register.id], etag)


@router.get(
    "/v1/registers",
    operation_id="listRegisters",
    summary="List indicator registers",
    response_model=Page[RegisterOut],
    responses=problem_responses(401, 403, 422),
)
async def list_registers(session: Session, _: Reader, page: Pagination) -> Page[RegisterOut]:
    registers, total = await fetch_page(session, repo.registers_query(), page)
    # One batch of queries for the whole page, not a round per register.
    contents = await repo.register_contents(session, [r.id for r in registers])
    items = [register_out(r, contents[r.id], service.register_etag(r)) for r in registers]
    return page.of(items, total)


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
    register: RegisterDep, session: Session, _: Reader, response: Response
) -> RegisterOut:
    return await _register_out(session, register, response)


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
    if_match: IfMatch = None,
) -> RegisterOut:
    if (body.municipality_code, body.board_code) != (municipality_code, board_code):
        raise InvalidContent(
            "The body names another register than the path", field="/municipality_code"
        )
    register, what = await service.load_register(session, admin.subject, body, if_match)
    response.status_code = 201 if what == "created" else 200
    return await _register_out(session, register, response)
