"""The tertial follow-up as robots read it: per activity area the year's budget (from the
reference version), outcome to date, full-year forecast and deviation."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from budget_service import repository as repo
from budget_service.models import Budget
from budget_service.rules import deviation
from budget_service.service import follow_up_etag, reference_version
from municipal_shared.contracts.budget import BudgetFollowUp, FollowUpAmounts, FollowUpRow
from municipal_shared.types import Tertial


def _quantized(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.001"))


async def build_follow_up(
    session: AsyncSession, budget: Budget, tertial: Tertial
) -> tuple[BudgetFollowUp, str | None]:
    version = await reference_version(session, budget)
    year = str(budget.budget_year)
    area_totals = await repo.area_totals(session, version.id)
    report = await repo.get_follow_up(session, budget.id, tertial)
    entries = {e.activity_area_code: e for e in report.entries} if report else {}
    rows = []
    for area in version.activity_areas:
        entry = entries.get(area.code)
        budget_amount = area_totals.get(area.id, {}).get(year, 0)
        forecast = _quantized(entry.full_year_forecast) if entry else None
        rows.append(
            FollowUpRow(
                activity_area_code=area.code,
                activity_area_name=area.name,
                budget=budget_amount,
                outcome_to_date=_quantized(entry.outcome_to_date) if entry else None,
                full_year_forecast=forecast,
                deviation=deviation(budget_amount, forecast),
                comment=entry.comment if entry else None,
            )
        )
    budget_total = (await repo.proposal_total(session, version.id)).get(year, 0)
    outcome, forecast = (None, None)
    if report is not None:
        outcome, forecast = await repo.follow_up_sums(session, report.id)
    board = budget.board
    body = BudgetFollowUp(
        municipality_code=board.municipality_code,
        board_code=board.code,
        budget_year=budget.budget_year,
        tertial=tertial,
        period_end=tertial.period_end(budget.budget_year),
        reference_version=version.number,
        reference_phase=version.phase,
        reported=report is not None,
        rows=rows,
        total=FollowUpAmounts(
            budget=budget_total,
            outcome_to_date=_quantized(outcome),
            full_year_forecast=_quantized(forecast),
            deviation=deviation(budget_total, _quantized(forecast)),
        ),
        updated_at=report.updated_at if report else None,
    )
    return body, follow_up_etag(report) if report else None
