"""Use cases of the registry: municipalities and their boards. Registering is idempotent; a
rename changes what every budget of the board shows, so it must name the state it was based
on (If-Match), and the row version makes two renames racing on one ETag end in one 412."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from budget_service import repository as repo
from budget_service.models import AuditEntry, Board, Municipality
from budget_service.schemas import BoardIn, MunicipalityIn
from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.concurrency import check_if_match, make_etag
from municipal_shared.kit.database import commit
from municipal_shared.kit.problems import NotFound


def municipality_etag(municipality: Municipality) -> str:
    return make_etag("municipality", municipality.code, municipality.row_version)


def board_etag(board: Board) -> str:
    return make_etag("board", board.id, board.row_version)


async def find_municipality(session: AsyncSession, code: str) -> Municipality:
    municipality = await repo.get_municipality(session, code)
    if municipality is None:
        raise NotFound(f"Municipality {code} is not registered")
    return municipality


async def find_board(session: AsyncSession, municipality_code: str, code: str) -> Board:
    board = await repo.get_board(session, municipality_code, code)
    if board is None:
        raise NotFound(f"Board {municipality_code}/{code} is not registered")
    return board


async def put_municipality(
    session: AsyncSession,
    actor: str,
    code: str,
    body: MunicipalityIn,
    if_match: str | None,
    *,
    rename: bool = True,
) -> tuple[Municipality, bool]:
    """Register, or rename with If-Match; returns the municipality and whether it is new.
    With `rename=False` (the seed) an existing name is kept: an operator's rename stands."""
    existing = await repo.get_municipality(session, code)
    if existing is not None and (existing.name == body.name or not rename):
        return existing, False
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
    return municipality, existing is None


async def put_board(
    session: AsyncSession,
    actor: str,
    municipality_code: str,
    code: str,
    body: BoardIn,
    if_match: str | None,
    *,
    rename: bool = True,
) -> tuple[Board, bool]:
    """Register a board of a registered municipality, or rename it with If-Match."""
    await find_municipality(session, municipality_code)
    existing = await repo.get_board(session, municipality_code, code)
    if existing is not None and (existing.name == body.name or not rename):
        return existing, False
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
    return await find_board(session, municipality_code, code), existing is None
