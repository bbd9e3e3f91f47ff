"""Every total of a version, summed by the database: GROUP BYs over the amount rows, grouped by
version too, so the totals of one version or of every version of a budget take the same four
queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from budget_service.models import (
    ActivityArea,
    AreaBaseAmount,
    ChangeLine,
    ChangeLineAmount,
    DirectiveLine,
    DirectiveLineAmount,
    InvestmentItem,
    InvestmentItemAmount,
)
from budget_service.rules.amounts import InvestmentTotals, VersionTotals, YearTotals
from budget_service.vocabulary import InvestmentSection


def _per_version(rows: Any) -> dict[int, YearTotals]:
    out: dict[int, YearTotals] = defaultdict(dict)
    for version_id, year, total in rows:
        out[version_id][str(year)] = int(total)
    return out


async def directive_totals(
    session: AsyncSession, version_ids: Sequence[int]
) -> dict[int, YearTotals]:
    query = (
        select(
            DirectiveLine.version_id, DirectiveLineAmount.year, func.sum(DirectiveLineAmount.amount)
        )
        .select_from(DirectiveLineAmount)
        .join(DirectiveLine)
        .where(DirectiveLine.version_id.in_(version_ids))
        .group_by(DirectiveLine.version_id, DirectiveLineAmount.year)
    )
    return _per_version(await session.execute(query))


def _area_amounts(version_ids: Sequence[int]) -> Any:
    """(version id, area id, year, amount) of every base amount and change line."""
    base = (
        select(
            ActivityArea.version_id,
            ActivityArea.id.label("area_id"),
            AreaBaseAmount.year,
            AreaBaseAmount.amount,
        )
        .join(AreaBaseAmount)
        .where(ActivityArea.version_id.in_(version_ids))
    )
    changes = (
        select(
            ActivityArea.version_id,
            ActivityArea.id.label("area_id"),
            ChangeLineAmount.year,
            ChangeLineAmount.amount,
        )
        .join(ChangeLine, ChangeLine.area_id == ActivityArea.id)
        .join(ChangeLineAmount)
        .where(ActivityArea.version_id.in_(version_ids))
    )
    return union_all(base, changes).subquery()


async def area_totals(
    session: AsyncSession, version_ids: Sequence[int]
) -> dict[int, dict[int, YearTotals]]:
    """Per version, per activity area id: base amount plus change lines per year."""
    amounts = _area_amounts(version_ids)
    query = select(
        amounts.c.version_id, amounts.c.area_id, amounts.c.year, func.sum(amounts.c.amount)
    ).group_by(amounts.c.version_id, amounts.c.area_id, amounts.c.year)
    out: dict[int, dict[int, YearTotals]] = defaultdict(lambda: defaultdict(dict))
    for version_id, area_id, year, total in await session.execute(query):
        out[version_id][area_id][str(year)] = int(total)
    return out


async def proposal_totals(
    session: AsyncSession, version_ids: Sequence[int]
) -> dict[int, YearTotals]:
    amounts = _area_amounts(version_ids)
    query = select(amounts.c.version_id, amounts.c.year, func.sum(amounts.c.amount)).group_by(
        amounts.c.version_id, amounts.c.year
    )
    return _per_version(await session.execute(query))


def _no_investments() -> InvestmentTotals:
    return {s.value: {"expenditure": {}, "income": {}, "net": {}} for s in InvestmentSection}


async def investment_totals(
    session: AsyncSession, version_ids: Sequence[int]
) -> dict[int, InvestmentTotals]:
    """Per version, per section: expenditure, income and net per year."""
    query = (
        select(
            InvestmentItem.version_id,
            InvestmentItem.section,
            InvestmentItemAmount.year,
            func.sum(InvestmentItemAmount.expenditure),
            func.sum(InvestmentItemAmount.income),
        )
        .join(InvestmentItemAmount)
        .where(InvestmentItem.version_id.in_(version_ids))
        .group_by(InvestmentItem.version_id, InvestmentItem.section, InvestmentItemAmount.year)
    )
    out: dict[int, InvestmentTotals] = defaultdict(_no_investments)
    for version_id, section, year, expenditure, income in await session.execute(query):
        sums = out[version_id][section]
        sums["expenditure"][str(year)] = int(expenditure)
        sums["income"][str(year)] = int(income)
        sums["net"][str(year)] = int(expenditure) - int(income)
    return out


async def totals_of(session: AsyncSession, version_ids: Sequence[int]) -> dict[int, VersionTotals]:
    """Every total of each version, by version id: four queries however many versions."""
    directive = await directive_totals(session, version_ids)
    proposal = await proposal_totals(session, version_ids)
    investments = await investment_totals(session, version_ids)
    areas = await area_totals(session, version_ids)
    return {
        version_id: VersionTotals(
            directive=directive.get(version_id, {}),
            proposal=proposal.get(version_id, {}),
            investments=investments.get(version_id) or _no_investments(),
            areas=dict(areas.get(version_id, {})),
        )
        for version_id in version_ids
    }
