"""Queries of the tertial follow-up: a report, and its sums over the reference version's areas."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from budget_service.models import ActivityArea, FollowUpEntry, FollowUpReport


async def get_follow_up(
    session: AsyncSession, budget_id: int, tertial: str
) -> FollowUpReport | None:
    query = select(FollowUpReport).where(
        FollowUpReport.budget_id == budget_id, FollowUpReport.tertial == tertial
    )
    return (await session.execute(query)).scalar_one_or_none()


async def follow_up_sums(
    session: AsyncSession, report_id: int, version_id: int
) -> tuple[int, Decimal | None, Decimal | None]:
    """How many of the version's activity areas the report covers, and its sums over them."""
    query = (
        select(
            func.count(),
            func.sum(FollowUpEntry.outcome_to_date),
            func.sum(FollowUpEntry.full_year_forecast),
        )
        .join(
            ActivityArea,
            (ActivityArea.code == FollowUpEntry.activity_area_code)
            & (ActivityArea.version_id == version_id),
        )
        .where(FollowUpEntry.report_id == report_id)
    )
    count, outcome, forecast = (await session.execute(query)).one()
    return (
        int(count),
        None if outcome is None else Decimal(outcome),
        None if forecast is None else Decimal(forecast),
    )
