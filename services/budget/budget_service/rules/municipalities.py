"""The ETags a rename of a municipality or a board must send back as If-Match."""

from __future__ import annotations

from budget_service.models import Board, Municipality
from municipal_shared.kit.concurrency import make_etag


def municipality_etag(municipality: Municipality) -> str:
    return make_etag("municipality", municipality.code, municipality.row_version)


def board_etag(board: Board) -> str:
    return make_etag("board", board.id, board.row_version)
