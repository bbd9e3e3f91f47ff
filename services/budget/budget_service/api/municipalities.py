"""Municipalities and their boards: a budget can only be made for a registered board."""

from __future__ import annotations

from typing import TypeVar

from fastapi import Response
from pydantic import BaseModel

from budget_service.api.deps import (
    Admin,
    AuditReader,
    BoardPath,
    IfMatchToChange,
    MunicipalityPath,
    Reader,
    Session,
)
from budget_service.schemas import BoardIn, MunicipalityIn
from budget_service.schemas_out import AuditEntryOut, BoardOut, MunicipalityOut
from budget_service.use_cases import municipalities
from budget_service.use_cases.results import Tagged
from municipal_shared.kit.pagination import Page, Pagination
from municipal_shared.kit.problems import problem_responses
from municipal_shared.kit.routing import service_router

router = service_router(prefix="/v1/municipalities", tags=["registry"])
Body = TypeVar("Body", bound=BaseModel)


def _answer(shown: Tagged[Body], response: Response) -> Body:
    """A registration answers 201, a read or an unchanged registration 200; both with the ETag."""
    response.status_code = 201 if shown.created else 200
    response.headers.update(shown.headers())
    return shown.body


@router.get(
    "",
    operation_id="listMunicipalities",
    summary="List registered municipalities",
    response_model=Page[MunicipalityOut],
    responses=problem_responses(401, 403, 422),
)
async def list_municipalities(
    session: Session, _: Reader, page: Pagination
) -> Page[MunicipalityOut]:
    """The registered municipalities, paginated."""
    return await municipalities.list_municipalities(session, page)


@router.get(
    "/{municipality_code}",
    operation_id="getMunicipality",
    summary="One municipality, with the ETag a rename must send as If-Match",
    response_model=MunicipalityOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_municipality(
    municipality_code: MunicipalityPath, session: Session, _: Reader, response: Response
) -> MunicipalityOut:
    """One registered municipality with the ETag that a rename sends as If-Match."""
    return _answer(await municipalities.show_municipality(session, municipality_code), response)


@router.put(
    "/{municipality_code}",
    operation_id="registerMunicipality",
    summary="Register a municipality (idempotent) or rename it (If-Match)",
    response_model=MunicipalityOut,
    responses={
        201: {"description": "Registered", "model": MunicipalityOut},
        **problem_responses(401, 403, 412, 422, 428),
    },
)
async def register_municipality(
    municipality_code: MunicipalityPath,
    body: MunicipalityIn,
    session: Session,
    admin: Admin,
    response: Response,
    if_match: IfMatchToChange = None,
) -> MunicipalityOut:
    """Registers a municipality (201; the same registration again is 200 and changes nothing). A
    rename must send the ETag it read as If-Match."""
    shown = await municipalities.put_municipality(
        session, admin.subject, municipality_code, body, if_match
    )
    return _answer(shown, response)


@router.get(
    "/{municipality_code}/boards",
    operation_id="listBoards",
    summary="List the boards of a municipality",
    response_model=Page[BoardOut],
    responses=problem_responses(401, 403, 404, 422),
)
async def list_boards(
    municipality_code: MunicipalityPath, session: Session, _: Reader, page: Pagination
) -> Page[BoardOut]:
    """The registered boards of a municipality, paginated."""
    return await municipalities.list_boards(session, municipality_code, page)


@router.get(
    "/{municipality_code}/boards/{board_code}",
    operation_id="getBoard",
    summary="One board, with the ETag a rename must send as If-Match",
    response_model=BoardOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_board(
    municipality_code: MunicipalityPath,
    board_code: BoardPath,
    session: Session,
    _: Reader,
    response: Response,
) -> BoardOut:
    """One registered board with the ETag that a rename sends as If-Match."""
    shown = await municipalities.show_board(session, municipality_code, board_code)
    return _answer(shown, response)


@router.put(
    "/{municipality_code}/boards/{board_code}",
    operation_id="registerBoard",
    summary="Register a board (idempotent) or rename it (If-Match)",
    response_model=BoardOut,
    responses={
        201: {"description": "Registered", "model": BoardOut},
        **problem_responses(401, 403, 404, 412, 422, 428),
    },
)
async def register_board(
    municipality_code: MunicipalityPath,
    board_code: BoardPath,
    body: BoardIn,
    session: Session,
    admin: Admin,
    response: Response,
    if_match: IfMatchToChange = None,
) -> BoardOut:
    """Registers a board of a registered municipality (201; again, 200 and unchanged). A rename must
    send the ETag it read as If-Match."""
    shown = await municipalities.put_board(
        session, admin.subject, municipality_code, board_code, body, if_match
    )
    return _answer(shown, response)


@router.get(
    "/{municipality_code}/audit",
    operation_id="listRegistryAuditEntries",
    summary="Who registered or renamed the municipality and its boards, when and why",
    response_model=Page[AuditEntryOut],
    responses=problem_responses(401, 403, 404, 422),
)
async def list_municipality_audit(
    municipality_code: MunicipalityPath, session: Session, _: AuditReader, page: Pagination
) -> Page[AuditEntryOut]:
    """Who registered or renamed the municipality and its boards, when and why. Never public: needs
    `budget:read`."""
    return await municipalities.list_municipality_audit(session, municipality_code, page)
