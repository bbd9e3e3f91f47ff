"""Queries of outcomes. The current value of an outcome key is found in the database (newest
id per key), never by loading the history; also the history, the changes feed and the
Idempotency-Keys intake has processed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service.models import IdempotencyRecord, Outcome


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


async def get_idempotency(session: AsyncSession, scope: str, key: str) -> IdempotencyRecord | None:
    return await session.get(IdempotencyRecord, (scope, key))
