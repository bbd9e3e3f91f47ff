"""Queries of the budget service. Nothing here commits; totals are GROUP BYs in the database."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Select, case, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from budget_service.models import (
    ActivityArea,
    AreaBaseAmount,
    AuditEntry,
    Board,
    Budget,
    BudgetVersion,
    ChangeLine,
    ChangeLineAmount,
    DirectiveLine,
    DirectiveLineAmount,
    FollowUpEntry,
    FollowUpReport,
    InvestmentItem,
    InvestmentItemAmount,
    Municipality,
)
from budget_service.vocabulary import InvestmentSection

YearTotals = dict[str, int]


async def get_municipality(session: AsyncSession, code: str) -> Municipality | None:
    return await session.get(Municipality, code)


async def get_board(session: AsyncSession, municipality_code: str, code: str) -> Board | None:
    query = select(Board).where(Board.municipality_code == municipality_code, Board.code == code)
    return (await session.execute(query)).scalar_one_or_none()


def municipalities_query() -> Select[Any]:
    return select(Municipality).order_by(Municipality.code)


def boards_query(municipality_code: str) -> Select[Any]:
    return select(Board).where(Board.municipality_code == municipality_code).order_by(Board.code)


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


async def head_numbers(session: AsyncSession, budget_ids: list[int]) -> dict[int, BudgetVersion]:
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


def _by_year(rows: Any) -> YearTotals:
    return {str(year): int(total) for year, total in rows}


async def directive_total(session: AsyncSession, version_id: int) -> YearTotals:
    query = (
        select(DirectiveLineAmount.year, func.sum(DirectiveLineAmount.amount))
        .join(DirectiveLine)
        .where(DirectiveLine.version_id == version_id)
        .group_by(DirectiveLineAmount.year)
    )
    return _by_year(await session.execute(query))


def _area_amounts(version_id: int) -> Any:
    """(area id, year, amount) of every base amount and change line of a version."""
    base = (
        select(ActivityArea.id.label("area_id"), AreaBaseAmount.year, AreaBaseAmount.amount)
        .join(AreaBaseAmount)
        .where(ActivityArea.version_id == version_id)
    )
    changes = (
        select(ActivityArea.id.label("area_id"), ChangeLineAmount.year, ChangeLineAmount.amount)
        .join(ChangeLine, ChangeLine.area_id == ActivityArea.id)
        .join(ChangeLineAmount)
        .where(ActivityArea.version_id == version_id)
    )
    return union_all(base, changes).subquery()


async def area_totals(session: AsyncSession, version_id: int) -> dict[int, YearTotals]:
    amounts = _area_amounts(version_id)
    query = select(amounts.c.area_id, amounts.c.year, func.sum(amounts.c.amount)).group_by(
        amounts.c.area_id, amounts.c.year
    )
    out: dict[int, YearTotals] = defaultdict(dict)
    for area_id, year, total in await session.execute(query):
        out[area_id][str(year)] = int(total)
    return out


async def proposal_total(session: AsyncSession, version_id: int) -> YearTotals:
    amounts = _area_amounts(version_id)
    query = select(amounts.c.year, func.sum(amounts.c.amount)).group_by(amounts.c.year)
    return _by_year(await session.execute(query))


async def investment_totals(
    session: AsyncSession, version_id: int
) -> dict[str, dict[str, YearTotals]]:
    """Per section: expenditure, income and net per year."""
    query = (
        select(
            InvestmentItem.section,
            InvestmentItemAmount.year,
            func.sum(InvestmentItemAmount.expenditure),
            func.sum(InvestmentItemAmount.income),
        )
        .join(InvestmentItemAmount)
        .where(InvestmentItem.version_id == version_id)
        .group_by(InvestmentItem.section, InvestmentItemAmount.year)
    )
    out: dict[str, dict[str, YearTotals]] = {
        s.value: {"expenditure": {}, "income": {}, "net": {}} for s in InvestmentSection
    }
    for section, year, expenditure, income in await session.execute(query):
        key = str(year)
        out[section]["expenditure"][key] = int(expenditure)
        out[section]["income"][key] = int(income)
        out[section]["net"][key] = int(expenditure) - int(income)
    return out


async def get_follow_up(
    session: AsyncSession, budget_id: int, tertial: str
) -> FollowUpReport | None:
    query = select(FollowUpReport).where(
        FollowUpReport.budget_id == budget_id, FollowUpReport.tertial == tertial
    )
    return (await session.execute(query)).scalar_one_or_none()


def audit_query(budget_id: int) -> Select[Any]:
    return select(AuditEntry).where(AuditEntry.budget_id == budget_id).order_by(AuditEntry.id)


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


def registry_audit_query(municipality_code: str) -> Select[Any]:
    """Changes to a municipality and its boards (they belong to no budget)."""
    return (
        select(AuditEntry)
        .where(
            AuditEntry.budget_id.is_(None),
            (AuditEntry.target == municipality_code)
            | AuditEntry.target.startswith(f"{municipality_code}/"),
        )
        .order_by(AuditEntry.id)
    )
