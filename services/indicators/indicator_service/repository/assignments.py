"""Queries of assignments: a register's assignments (with their links), one by code, the
current follow-up entry of (assignment, period) keys, and the entries a report or a history
shows."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service.models import Assignment, AssignmentFollowUp


def assignments_query(register_id: int) -> Select[Any]:
    return (
        select(Assignment)
        .where(Assignment.register_id == register_id)
        .order_by(Assignment.position, Assignment.id)
    )


async def assignments(session: AsyncSession, register_id: int) -> list[Assignment]:
    return list((await session.execute(assignments_query(register_id))).scalars())


async def assignment(session: AsyncSession, register_id: int, code: str) -> Assignment | None:
    query = select(Assignment).where(Assignment.register_id == register_id, Assignment.code == code)
    return (await session.execute(query)).scalar_one_or_none()


async def current_for_keys(
    session: AsyncSession, register_id: int, keys: set[tuple[int, str]]
) -> dict[tuple[int, str], AssignmentFollowUp]:
    """The current entry of each (assignment id, period) of one request."""
    if not keys:
        return {}
    ids = (
        select(func.max(AssignmentFollowUp.id).label("id"))
        .where(
            AssignmentFollowUp.register_id == register_id,
            AssignmentFollowUp.assignment_id.in_({k[0] for k in keys}),
            AssignmentFollowUp.period.in_({k[1] for k in keys}),
        )
        .group_by(AssignmentFollowUp.assignment_id, AssignmentFollowUp.period)
        .subquery()
    )
    rows = await session.execute(
        select(AssignmentFollowUp).join(ids, AssignmentFollowUp.id == ids.c.id)
    )
    found = {(e.assignment_id, e.period): e for e in rows.scalars()}
    return {k: v for k, v in found.items() if k in keys}


async def current_entries(
    session: AsyncSession,
    register_id: int,
    *,
    up_to_period: str | None = None,
    assignment_ids: list[int] | None = None,
) -> dict[int, list[AssignmentFollowUp]]:
    """The current entry of every (assignment, period) up to a period, per assignment: what
    a report chooses from (the newest id per key is found in the database)."""
    conditions = [AssignmentFollowUp.register_id == register_id]
    if up_to_period is not None:
        conditions.append(AssignmentFollowUp.period <= up_to_period)
    if assignment_ids is not None:
        conditions.append(AssignmentFollowUp.assignment_id.in_(assignment_ids))
    ids = (
        select(func.max(AssignmentFollowUp.id).label("id"))
        .where(*conditions)
        .group_by(AssignmentFollowUp.assignment_id, AssignmentFollowUp.period)
        .subquery()
    )
    rows = await session.execute(
        select(AssignmentFollowUp)
        .join(ids, AssignmentFollowUp.id == ids.c.id)
        .order_by(AssignmentFollowUp.period, AssignmentFollowUp.id)
    )
    out: dict[int, list[AssignmentFollowUp]] = defaultdict(list)
    for entry in rows.scalars():
        out[entry.assignment_id].append(entry)
    return out


async def history(session: AsyncSession, assignment_id: int) -> list[AssignmentFollowUp]:
    """Every entry of one assignment, corrections included, oldest first."""
    query = (
        select(AssignmentFollowUp)
        .where(AssignmentFollowUp.assignment_id == assignment_id)
        .order_by(AssignmentFollowUp.period, AssignmentFollowUp.id)
    )
    return list((await session.execute(query)).scalars())
