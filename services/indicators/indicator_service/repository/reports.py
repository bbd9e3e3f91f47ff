"""Queries the reports read besides outcomes: the latest milestone assessments of a year,
and a composed report's approval."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service.models import Assessment, Indicator, ReportApproval


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


async def report_approval(
    session: AsyncSession, register_id: int, year: int, tertial: str
) -> ReportApproval | None:
    query = select(ReportApproval).where(
        ReportApproval.register_id == register_id,
        ReportApproval.year == year,
        ReportApproval.tertial == tertial,
    )
    return (await session.execute(query)).scalar_one_or_none()
