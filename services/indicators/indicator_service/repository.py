"""Queries of the indicator service. Nothing here commits. The current value of an outcome key
is found in the database (newest id per key), never by loading the history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service.models import (
    Assessment,
    AuditEntry,
    CouncilGoal,
    FocusArea,
    IdempotencyRecord,
    Indicator,
    Outcome,
    Register,
    ReportApproval,
)


async def get_register(
    session: AsyncSession, municipality_code: str, board_code: str
) -> Register | None:
    query = select(Register).where(
        Register.municipality_code == municipality_code, Register.board_code == board_code
    )
    return (await session.execute(query)).scalar_one_or_none()


def registers_query() -> Select[Any]:
    return select(Register).order_by(Register.municipality_code, Register.board_code)


async def council_goals(session: AsyncSession, register_id: int) -> list[CouncilGoal]:
    query = select(CouncilGoal).where(CouncilGoal.register_id == register_id)
    return list((await session.execute(query.order_by(CouncilGoal.number))).scalars())


async def focus_areas(session: AsyncSession, register_id: int) -> list[FocusArea]:
    query = select(FocusArea).where(FocusArea.register_id == register_id)
    return list((await session.execute(query.order_by(FocusArea.position))).scalars())


@dataclass
class RegisterContents:
    """What a register's response shows besides the register row."""

    council_goals: list[CouncilGoal] = field(default_factory=list)
    focus_areas: list[FocusArea] = field(default_factory=list)
    indicator_count: int = 0


async def register_contents(
    session: AsyncSession, register_ids: Sequence[int]
) -> dict[int, RegisterContents]:
    """Goals, focus areas (with their goals) and indicator counts of a page of registers in a
    fixed number of queries, however many registers the page holds."""
    contents: dict[int, RegisterContents] = defaultdict(RegisterContents)
    if not register_ids:
        return {}
    goals = select(CouncilGoal).where(CouncilGoal.register_id.in_(register_ids))
    for goal in (await session.execute(goals.order_by(CouncilGoal.number))).scalars():
        contents[goal.register_id].council_goals.append(goal)
    areas = select(FocusArea).where(FocusArea.register_id.in_(register_ids))
    for area in (await session.execute(areas.order_by(FocusArea.position))).scalars():
        contents[area.register_id].focus_areas.append(area)
    counts = (
        select(Indicator.register_id, func.count())
        .where(Indicator.register_id.in_(register_ids))
        .group_by(Indicator.register_id)
    )
    for register_id, count in await session.execute(counts):
        contents[register_id].indicator_count = int(count)
    return {register_id: contents[register_id] for register_id in register_ids}


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


def _current_ids(register_id: int) -> Any:
    return (
        select(func.max(Outcome.id).label("id"))
        .where(Outcome.register_id == register_id)
        .group_by(Outcome.indicator_id, Outcome.period, Outcome.gender, Outcome.source)
        .subquery()
    )


async def current_outcomes(
    session: AsyncSession,
    register_id: int,
    *,
    indicator_id: int | None = None,
    indicator_ids: list[int] | None = None,
    annual_only: bool = False,
    up_to_year: int | None = None,
    gender: str | None = "T",
) -> list[Outcome]:
    """The current row of every outcome key, oldest period first."""
    current = _current_ids(register_id)
    query = select(Outcome).join(current, Outcome.id == current.c.id)
    if indicator_id is not None:
        query = query.where(Outcome.indicator_id == indicator_id)
    if indicator_ids is not None:
        query = query.where(Outcome.indicator_id.in_(indicator_ids))
    if annual_only:
        query = query.where(Outcome.tertial.is_(None))
    if up_to_year is not None:
        query = query.where(Outcome.year <= up_to_year)
    if gender is not None:
        query = query.where(Outcome.gender == gender)
    return list((await session.execute(query.order_by(Outcome.period, Outcome.id))).scalars())


async def current_for_keys(
    session: AsyncSession, register_id: int, keys: set[tuple[int, str, str, str]]
) -> dict[tuple[int, str, str, str], Outcome]:
    """Current rows for (indicator id, period, gender, source) keys of one request."""
    if not keys:
        return {}
    indicator_ids = {k[0] for k in keys}
    periods = {k[1] for k in keys}
    ids = (
        select(func.max(Outcome.id).label("id"))
        .where(
            Outcome.register_id == register_id,
            Outcome.indicator_id.in_(indicator_ids),
            Outcome.period.in_(periods),
        )
        .group_by(Outcome.indicator_id, Outcome.period, Outcome.gender, Outcome.source)
        .subquery()
    )
    rows = await session.execute(select(Outcome).join(ids, Outcome.id == ids.c.id))
    found = {(o.indicator_id, o.period, o.gender, o.source): o for o in rows.scalars()}
    return {k: v for k, v in found.items() if k in keys}


def history_query(indicator_id: int, period: str | None) -> Select[Any]:
    query = select(Outcome).where(Outcome.indicator_id == indicator_id)
    if period:
        query = query.where(Outcome.period == period)
    return query.order_by(Outcome.period, Outcome.id)


async def changes_since(
    session: AsyncSession, register_id: int, since: int, limit: int
) -> list[Outcome]:
    query = (
        select(Outcome)
        .where(Outcome.register_id == register_id, Outcome.id > since)
        .order_by(Outcome.id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def last_outcome_id(session: AsyncSession, register_id: int) -> int | None:
    query = select(func.max(Outcome.id)).where(Outcome.register_id == register_id)
    return (await session.execute(query)).scalar_one()


async def latest_assessments(
    session: AsyncSession, register_id: int, year: int
) -> dict[int, Assessment]:
    newest = (
        select(func.max(Assessment.id).label("id"))
        .join(Indicator, Indicator.id == Assessment.indicator_id)
        .where(Indicator.register_id == register_id, Assessment.year == year)
        .group_by(Assessment.indicator_id)
        .subquery()
    )
    rows = await session.execute(select(Assessment).join(newest, Assessment.id == newest.c.id))
    return {a.indicator_id: a for a in rows.scalars()}


async def get_idempotency(session: AsyncSession, scope: str, key: str) -> IdempotencyRecord | None:
    return await session.get(IdempotencyRecord, (scope, key))


def audit_query(register_id: int) -> Select[Any]:
    return select(AuditEntry).where(AuditEntry.register_id == register_id).order_by(AuditEntry.id)


async def report_approval(
    session: AsyncSession, register_id: int, year: int, tertial: str
) -> ReportApproval | None:
    query = select(ReportApproval).where(
        ReportApproval.register_id == register_id,
        ReportApproval.year == year,
        ReportApproval.tertial == tertial,
    )
    return (await session.execute(query)).scalar_one_or_none()
