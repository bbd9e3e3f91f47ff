"""What every edit of a draft version shares: the version read and locked, the lock rules and
If-Match checked, the content fitted to the budget's years, and the totals that must hold
after the change (the frame, and any control totals the sender printed)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from budget_service.models import Budget, BudgetVersion
from budget_service.repository.totals import totals_of
from budget_service.rules.amounts import by_year, control_total_errors, frame_excess_errors
from budget_service.rules.content import content_errors
from budget_service.rules.document import version_etag
from budget_service.rules.versions import ensure_editable
from budget_service.use_cases.lookups import BudgetKey, find_budget, find_version
from municipal_shared.kit.concurrency import check_if_match
from municipal_shared.kit.problems import raise_if


async def locked_version(
    session: AsyncSession, key: BudgetKey, number: int
) -> tuple[Budget, BudgetVersion]:
    budget = await find_budget(session, key)
    return budget, await find_version(session, budget, number, for_update=True)


async def editable_version(
    session: AsyncSession, key: BudgetKey, number: int, if_match: str | None
) -> tuple[Budget, BudgetVersion]:
    budget, version = await locked_version(session, key, number)
    ensure_editable(version.number, version.status)
    check_if_match(if_match, version_etag(version))
    return budget, version


def validate_content(content: dict[str, Any], years: list[int]) -> None:
    raise_if(content_errors(content, years), "Content does not fit the budget")


async def check_totals(
    session: AsyncSession, version: BudgetVersion, control_totals: dict[str, Any] | None
) -> None:
    await session.flush()
    totals = (await totals_of(session, [version.id]))[version.id]
    frame = by_year(version.investment_frame) or None
    errors = frame_excess_errors(frame, totals.investments_within_frame)
    errors += control_total_errors(control_totals or {}, totals.named())
    raise_if(errors, "Totals do not hold")
