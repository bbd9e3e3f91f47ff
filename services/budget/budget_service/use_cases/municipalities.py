"""Municipalities and their boards (a budget can only be made for a registered board).
Registering is idempotent; a rename changes what every budget of the board shows, so it must
name the state it was based on (If-Match), and the row version makes two renames racing on one
ETag end in one 412."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from budget_service.models import AuditEntry, Board, Municipality
from budget_service.repository.audit import municipality_audit_query
from budget_service.repository.municipalities import (
    boards_query,
    get_board,
    get_municipality,
    municipalities_query,
)
from budget_service.rules.municipalities import board_etag, municipality_etag
from budget_service.schemas import BoardIn, MunicipalityIn
from budget_service.schemas_out import AuditEntryOut, BoardOut, MunicipalityOut
from budget_service.use_cases.lookups import find_board, find_municipality
from budget_service.use_cases.results import Tagged
from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.concurrency import check_if_match
from municipal_shared.kit.database import commit
from municipal_shared.kit.pagination import Page, PageParams, fetch_page


def _municipality(municipality: Municipality, created: bool = False) -> Tagged[MunicipalityOut]:
    body = MunicipalityOut(code=municipality.code, name=municipality.name)
    return Tagged(body, municipality_etag(municipality), created)


def _board(board: Board, created: bool = False) -> Tagged[BoardOut]:
    body = BoardOut(municipality_code=board.municipality_code, code=board.code, name=board.name)
    return Tagged(body, board_etag(board), created)


async def list_municipalities(session: AsyncSession, page: PageParams) -> Page[MunicipalityOut]:
    rows, total = await fetch_page(session, municipalities_query(), page)
    return page.of([MunicipalityOut(code=m.code, name=m.name) for m in rows], total)


async def show_municipality(session: AsyncSession, code: str) -> Tagged[MunicipalityOut]:
    return _municipality(await find_municipality(session, code))


async def put_municipality(
    session: AsyncSession,
    actor: str,
    code: str,
    body: MunicipalityIn,
    if_match: str | None,
    *,
    rename: bool = True,
) -> Tagged[MunicipalityOut]:
    """Register, or rename with If-Match; `created` says whether it is new.
    With `rename=False` (the seed) an existing name is kept: an operator's rename stands."""
    existing = await get_municipality(session, code)
    if existing is not None and (existing.name == body.name or not rename):
        return _municipality(existing)
    if existing is not None:
        check_if_match(if_match, municipality_etag(existing))
    old = existing.name if existing else None
    municipality = existing or Municipality(code=code, name=body.name)
    municipality.name = body.name
    session.add(municipality)
    record_audit(
        session,
        AuditEntry,
        actor=actor,
        action="municipality.renamed" if existing else "municipality.registered",
        target=code,
        reason=body.reason,
        changes=[{"path": "/name", "old": old, "new": body.name}],
    )
    await commit(session)
    return _municipality(municipality, created=existing is None)


async def list_boards(
    session: AsyncSession, municipality_code: str, page: PageParams
) -> Page[BoardOut]:
    await find_municipality(session, municipality_code)
    rows, total = await fetch_page(session, boards_query(municipality_code), page)
    items = [
        BoardOut(municipality_code=b.municipality_code, code=b.code, name=b.name) for b in rows
    ]
    return page.of(items, total)


async def show_board(session: AsyncSession, municipality_code: str, code: str) -> Tagged[BoardOut]:
    return _board(await find_board(session, municipality_code, code))


async def put_board(
    session: AsyncSession,
    actor: str,
    municipality_code: str,
    code: str,
    body: BoardIn,
    if_match: str | None,
    *,
    rename: bool = True,
) -> Tagged[BoardOut]:
    """Register a board of a registered municipality, or rename it with If-Match."""
    await find_municipality(session, municipality_code)
    existing = await get_board(session, municipality_code, code)
    if existing is not None and (existing.name == body.name or not rename):
        return _board(existing)
    if existing is not None:
        check_if_match(if_match, board_etag(existing))
    old = existing.name if existing else None
    board = existing or Board(municipality_code=municipality_code, code=code, name=body.name)
    board.name = body.name
    session.add(board)
    record_audit(
        session,
        AuditEntry,
        actor=actor,
        action="board.renamed" if existing else "board.registered",
        target=f"{municipality_code}/{code}",
        reason=body.reason,
        changes=[{"path": "/name", "old": old, "new": body.name}],
    )
    await commit(session)
    return _board(await find_board(session, municipality_code, code), created=existing is None)


async def list_municipality_audit(
    session: AsyncSession, municipality_code: str, page: PageParams
) -> Page[AuditEntryOut]:
    """Who registered or renamed the municipality and its boards."""
    await find_municipality(session, municipality_code)
    rows, total = await fetch_page(session, municipality_audit_query(municipality_code), page)
    return page.of([AuditEntryOut.model_validate(r) for r in rows], total)
