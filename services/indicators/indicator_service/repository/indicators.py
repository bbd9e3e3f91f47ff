"""Queries of a register's indicators: filtered lists, all of them by code, those mapped to a
Kolada KPI, and one by its code."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service.models import CouncilGoal, FocusArea, Indicator


def indicators_query(
    register_id: int,
    group: str | None = None,
    focus_area: str | None = None,
    council_goal: int | None = None,
) -> Select[Any]:
    query = select(Indicator).where(Indicator.register_id == register_id)
    if group:
        query = query.where(Indicator.group_name == group)
    if focus_area:
        query = query.where(Indicator.focus_areas.any(FocusArea.code == focus_area))
    if council_goal:
        query = query.where(Indicator.council_goals.any(CouncilGoal.number == council_goal))
    return query.order_by(Indicator.position)


async def indicators_by_code(session: AsyncSession, register_id: int) -> dict[str, Indicator]:
    """Every indicator of a register, for resolving codes in one request (bounded by the
    register's size, not by its history)."""
    rows = await session.execute(indicators_query(register_id))
    return {i.code: i for i in rows.scalars()}


async def kolada_indicators(
    session: AsyncSession, register_id: int, kpi: str | None = None
) -> list[Indicator]:
    """The indicators mapped to a Kolada KPI (or to the one KPI given)."""
    query = indicators_query(register_id).where(
        Indicator.source_kind == "kolada", Indicator.source_ref.is_not(None)
    )
    if kpi is not None:
        query = query.where(Indicator.source_ref == kpi)
    return list((await session.execute(query)).scalars())


async def get_indicator(session: AsyncSession, register_id: int, code: str) -> Indicator | None:
    query = select(Indicator).where(Indicator.register_id == register_id, Indicator.code == code)
    return (await session.execute(query)).scalar_one_or_none()
