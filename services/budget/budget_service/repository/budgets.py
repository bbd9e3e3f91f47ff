"""Queries of budgets: one by its key, a filtered list, and the head version of each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from budget_service.models import Board, Budget, BudgetVersion


async def get_budget(
    session: AsyncSession, municipality_code: str, board_code: str, year: int
) -> Budget | None:
    query = (
        select(Budget)
        .join(Board)
        .where(
            Board.municipality_code == municipality_code,
            Board.code == board_code,
            Budget.budget_year == year,
        )
    )
    return (await session.execute(query)).scalar_one_or_none()


def budgets_query(
    municipality_code: str | None, board_code: str | None, year: int | None
) -> Select[Any]:
    query = select(Budget).join(Board)
    if municipality_code:
        query = query.where(Board.municipality_code == municipality_code)
    if board_code:
        query = query.where(Board.code == board_code)
    if year:
        query = query.where(Budget.budget_year == year)
    return query.order_by(Board.municipality_code, Board.code, Budget.budget_year)


async def head_versions(session: AsyncSession, budget_ids: list[int]) -> dict[int, BudgetVersion]:
    """The latest version of each budget (without its lines), by budget id, in one query."""
    latest = (
        select(BudgetVersion.budget_id, func.max(BudgetVersion.number).label("number"))
        .where(BudgetVersion.budget_id.in_(budget_ids))
        .group_by(BudgetVersion.budget_id)
        .subquery()
    )
    query = select(BudgetVersion).join(
        latest,
        (BudgetVersion.budget_id == latest.c.budget_id) & (BudgetVersion.number == latest.c.number),
    )
    return {v.budget_id: v for v in (await session.execute(query)).scalars()}
