"""Finding what a request names, or saying precisely what is missing (404, or 422 when the
name is in a body): the municipality, the board, the budget or the version."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from budget_service.models import Board, Budget, BudgetVersion, Municipality
from budget_service.repository.budgets import get_budget
from budget_service.repository.municipalities import get_board, get_municipality
from budget_service.repository.versions import get_version
from municipal_shared.kit.problems import NotFound


@dataclass(frozen=True)
class BudgetKey:
    municipality_code: str
    board_code: str
    budget_year: int

    def __str__(self) -> str:
        return f"{self.municipality_code}/{self.board_code}/{self.budget_year}"


async def find_municipality(session: AsyncSession, code: str) -> Municipality:
    municipality = await get_municipality(session, code)
    if municipality is None:
        raise NotFound(f"Municipality {code} is not registered")
    return municipality


async def find_board(session: AsyncSession, municipality_code: str, code: str) -> Board:
    board = await get_board(session, municipality_code, code)
    if board is None:
        raise NotFound(f"Board {municipality_code}/{code} is not registered")
    return board


async def find_budget(session: AsyncSession, key: BudgetKey) -> Budget:
    budget = await get_budget(session, key.municipality_code, key.board_code, key.budget_year)
    if budget is not None:
        return budget
    if await get_municipality(session, key.municipality_code) is None:
        raise NotFound(f"Municipality {key.municipality_code} is not registered")
    if await get_board(session, key.municipality_code, key.board_code) is None:
        raise NotFound(f"Board {key.board_code} is not registered in {key.municipality_code}")
    raise NotFound(f"No budget {key}")


async def find_version(
    session: AsyncSession, budget: Budget, number: int, *, for_update: bool = False
) -> BudgetVersion:
    """With its lines; `for_update` locks the row for an edit (PostgreSQL)."""
    version = await get_version(session, budget.id, number, for_update=for_update)
    if version is None:
        raise NotFound(f"Budget has no version {number}")
    return version
