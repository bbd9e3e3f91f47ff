"""The tertial follow-up: reporting outcome to date and full-year forecast per activity area,
and reading it as robots do, with the year's budget (from the reference version: the latest
decided one, or the head while none is) and the deviation."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from budget_service.models import AuditEntry, Budget, FollowUpEntry, FollowUpReport
from budget_service.repository.follow_up import follow_up_sums, get_follow_up
from budget_service.repository.totals import area_totals, proposal_totals
from budget_service.repository.versions import activity_areas, reference_version
from budget_service.rules.changes import changes_between
from budget_service.rules.follow_up import (
    FollowUpFigures,
    entry_dict,
    entry_errors,
    follow_up_body,
    follow_up_etag,
    same_entries,
)
from budget_service.schemas import FollowUpIn
from budget_service.use_cases.lookups import BudgetKey, find_budget
from budget_service.use_cases.results import Tagged
from municipal_shared.contracts.budget import BudgetFollowUp
from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.concurrency import check_if_match
from municipal_shared.kit.database import commit, utc_now
from municipal_shared.kit.problems import raise_if
from municipal_shared.types import Tertial


async def _follow_up(
    session: AsyncSession, budget: Budget, tertial: Tertial
) -> Tagged[BudgetFollowUp]:
    version = await reference_version(session, budget.id)
    year = str(budget.budget_year)
    report = await get_follow_up(session, budget.id, tertial)
    covered, outcome, forecast = 0, None, None
    if report is not None:
        covered, outcome, forecast = await follow_up_sums(session, report.id, version.id)
    figures = FollowUpFigures(
        version=version,
        areas=await activity_areas(session, version.id),
        area_totals=(await area_totals(session, [version.id])).get(version.id, {}),
        budget_total=(await proposal_totals(session, [version.id]))
        .get(version.id, {})
        .get(year, 0),
        report=report,
        covered=covered,
        outcome=outcome,
        forecast=forecast,
    )
    etag = follow_up_etag(report) if report else None
    return Tagged(follow_up_body(budget, tertial, figures), etag)


async def show_follow_up(
    session: AsyncSession, key: BudgetKey, tertial: Tertial
) -> Tagged[BudgetFollowUp]:
    return await _follow_up(session, await find_budget(session, key), tertial)


async def report_follow_up(
    session: AsyncSession,
    actor: str,
    key: BudgetKey,
    tertial: Tertial,
    if_match: str | None,
    body: FollowUpIn,
) -> Tagged[BudgetFollowUp]:
    budget = await find_budget(session, key)
    version = await reference_version(session, budget.id)
    area_codes = {a.code for a in await activity_areas(session, version.id)}
    raise_if(
        entry_errors(body.entries, area_codes, version.number), "Follow-up does not fit the budget"
    )
    report = await get_follow_up(session, budget.id, tertial)
    wanted = [FollowUpEntry(**e.model_dump()) for e in body.entries]
    if report is not None and same_entries(report.entries, wanted):
        return await _follow_up(session, budget, tertial)  # the same figures: a replay
    before: list[dict[str, Any]] = []
    if report is None:
        report = FollowUpReport(budget_id=budget.id, tertial=tertial)
        session.add(report)
    else:
        check_if_match(if_match, follow_up_etag(report))
        before = [entry_dict(e) for e in report.entries]
        report.entries.clear()
        await session.flush()  # delete before insert: the area codes are unique per report
    report.entries = [FollowUpEntry(**e.model_dump(exclude_none=False)) for e in body.entries]
    report.updated_at = utc_now()
    record_audit(
        session,
        AuditEntry,
        actor=actor,
        action="follow_up.reported",
        target=f"{key}/follow-up/{tertial}",
        reason=body.reason,
        changes=changes_between(before, [entry_dict(e) for e in report.entries]),
        budget_id=budget.id,
    )
    await commit(session)
    return await _follow_up(session, budget, tertial)
