"""Queries of a budget's versions: one with its lines (locked for an edit), the head, the
reference version the follow-up measures against, and the chain of revisions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Select, case, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from budget_service.models import ActivityArea, BudgetVersion


def _version_query(budget_id: int) -> Select[BudgetVersion]:
    return (
        select(BudgetVersion)
        .where(BudgetVersion.budget_id == budget_id)
        .options(
            selectinload(BudgetVersion.directive_lines),
            selectinload(BudgetVersion.activity_areas),
            selectinload(BudgetVersion.investment_frame),
            selectinload(BudgetVersion.investment_items),
        )
        .execution_options(populate_existing=True)
    )


async def get_version(
    session: AsyncSession, budget_id: int, number: int, *, for_update: bool = False
) -> BudgetVersion | None:
    """With for_update, a concurrent writer waits (PostgreSQL) and then sees the new ETag."""
    query = _version_query(budget_id).where(BudgetVersion.number == number)
    if for_update:
        query = query.with_for_update(of=BudgetVersion)
    return (await session.execute(query)).scalar_one_or_none()


async def head_version(session: AsyncSession, budget_id: int) -> BudgetVersion:
    query = _version_query(budget_id).order_by(BudgetVersion.number.desc()).limit(1)
    return (await session.execute(query)).scalar_one()


async def reference_version(session: AsyncSession, budget_id: int) -> BudgetVersion:
    """The latest decided version, or the head while none is: the version alone, without its
    content, for reads that need only its areas (the follow-up)."""
    decided = case((BudgetVersion.status == "decided", 1), else_=0)
    query = (
        select(BudgetVersion)
        .where(BudgetVersion.budget_id == budget_id)
        .order_by(decided.desc(), BudgetVersion.number.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one()


async def activity_areas(session: AsyncSession, version_id: int) -> list[Row[Any]]:
    """(id, code, name) of a version's activity areas, in the document's order."""
    query = (
        select(ActivityArea.id, ActivityArea.code, ActivityArea.name)
        .where(ActivityArea.version_id == version_id)
        .order_by(ActivityArea.position)
    )
    return list(await session.execute(query))


def versions_query(budget_id: int) -> Select[Any]:
    return (
        select(BudgetVersion)
        .where(BudgetVersion.budget_id == budget_id)
        .order_by(BudgetVersion.number)
    )


async def supersessions(session: AsyncSession, budget_id: int) -> dict[int, int]:
    """Superseded version number -> the revision that superseded it."""
    query = select(BudgetVersion.supersedes_number, BudgetVersion.number).where(
        BudgetVersion.budget_id == budget_id, BudgetVersion.supersedes_number.is_not(None)
    )
    # The query already leaves out NULL; the test narrows the column's type to int.
    return {old: new for old, new in await session.execute(query) if old is not None}


async def superseded_by(session: AsyncSession, budget_id: int, number: int) -> int | None:
    query = select(BudgetVersion.number).where(
        BudgetVersion.budget_id == budget_id, BudgetVersion.supersedes_number == number
    )
    return (await session.execute(query)).scalar_one_or_none()
