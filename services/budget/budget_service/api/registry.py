"""Municipalities and their boards: a budget can only be made for a registered board."""

from __future__ import annotations

from fastapi import APIRouter, Response

from budget_service import registry
from budget_service import repository as repo
from budget_service.api.deps import (
    Admin,
    AuditReader,
    BoardPath,
    IfMatch,
    MunicipalityPath,
    Reader,
    Session,
)
from budget_service.schemas import AuditEntryOut, BoardIn, BoardOut, MunicipalityIn, MunicipalityOut
from municipal_shared.kit.pagination import Page, Pagination, fetch_page
from municipal_shared.kit.problems import problem_responses

router = APIRouter(prefix="/v1/municipalities", tags=["registry"])


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
    rows, total = await fetch_page(session, repo.municipalities_query(), page)
    items = [MunicipalityOut(code=m.code, name=m.name) for m in rows]
    return page.of(items, total)


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
    municipality = await registry.find_municipality(session, municipality_code)
    response.headers["ETag"] = registry.municipality_etag(municipality)
    return MunicipalityOut(code=municipality.code, name=municipality.name)


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
    if_match: IfMatch = None,
) -> MunicipalityOut:
    municipality, created = await registry.put_municipality(
        session, admin.subject, municipality_code, body, if_match
    )
    response.status_code = 201 if created else 200
    response.headers["ETag"] = registry.municipality_etag(municipality)
    return MunicipalityOut(code=municipality.code, name=municipality.name)


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
    await registry.find_municipality(session, municipality_code)
    rows, total = await fetch_page(session, repo.boards_query(municipality_code), page)
    items = [
        BoardOut(municipality_code=b.municipality_code, code=b.code, name=b.name) for b in rows
    ]
    return page.of(items, total)


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
    board = await registry.find_board(session, municipality_code, board_code)
    response.headers["ETag"] = registry.board_etag(board)
    return BoardOut(municipality_code=board.municipality_code, code=board.code, name=board.name)


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
    if_match: IfMatch = None,
) -> BoardOut:
    board, created = await registry.put_board(
        session, admin.subject, municipality_code, board_code, body, if_match
    )
    response.status_code = 201 if created else 200
    response.headers["ETag"] = registry.board_etag(board)
    return BoardOut(municipality_code=board.municipality_code, code=board.code, name=board.name)


@router.get(
    "/{municipality_code}/audit",
    operation_id="listRegistryAuditEntries",
    summary="Who registered or renamed the municipality and its boards, when and why",
    response_model=Page[AuditEntryOut],
    responses=problem_responses(401, 403, 404, 422),
)
async def list_registry_audit(
    municipality_code: MunicipalityPath, session: Session, _: AuditReader, page: Pagination
) -> Page[AuditEntryOut]:
    await registry.find_municipality(session, municipality_code)
    rows, total = await fetch_page(session, repo.registry_audit_query(municipality_code), page)
    return page.of([AuditEntryOut.model_validate(r, from_attributes=True) for r in rows], total)
