"""Queries of registers: the register by its key, the list, and the goals, focus areas and
indicator counts a register's answer shows (for a whole page in a fixed number of queries),
and the register's audit log."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service.models import AuditEntry, CouncilGoal, FocusArea, Indicator, Register


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


def audit_query(register_id: int) -> Select[Any]:
    return select(AuditEntry).where(AuditEntry.register_id == register_id).order_by(AuditEntry.id)
