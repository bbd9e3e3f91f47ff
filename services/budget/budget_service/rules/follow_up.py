"""The tertial follow-up's rules: which entries fit the reference version, the deviation
(budget minus forecast), and the follow-up as report robots read it, assembled from what the
use case fetched. A total is shown only once every area has reported."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from budget_service.models import Budget, BudgetVersion, FollowUpEntry, FollowUpReport
from budget_service.rules.amounts import YearTotals
from budget_service.schemas import FollowUpEntryIn
from municipal_shared.contracts.budget import BudgetFollowUp, FollowUpAmounts, FollowUpRow
from municipal_shared.kit.concurrency import make_etag
from municipal_shared.kit.problems import field_error
from municipal_shared.types import Tertial

KRONA = Decimal("0.001")  # thousand SEK to the krona


def deviation(budget: int | Decimal, forecast: Decimal | None) -> Decimal | None:
    """Budget minus forecast: positive is a surplus (the sign ERPNext's variance report uses)."""
    if forecast is None:
        return None
    return Decimal(budget) - forecast


def quantized(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(KRONA)


def follow_up_etag(report: FollowUpReport) -> str:
    return make_etag("follow-up", report.id, report.row_version)


def entry_errors(
    entries: Sequence[FollowUpEntryIn], area_codes: set[str], version_number: int
) -> list[dict[str, str]]:
    """Each entry names an activity area of the reference version, and no area twice."""
    errors = [
        field_error(
            f"/entries/{i}/activity_area_code",
            f"version {version_number} has no activity area {e.activity_area_code}",
        )
        for i, e in enumerate(entries)
        if e.activity_area_code not in area_codes
    ]
    seen: set[str] = set()
    for i, e in enumerate(entries):
        if e.activity_area_code in seen:
            errors.append(field_error(f"/entries/{i}/activity_area_code", "given twice"))
        seen.add(e.activity_area_code)
    return errors


def entry_dict(entry: FollowUpEntry) -> dict[str, Any]:
    """An entry as the audit log and the replay check compare it (amounts to the krona)."""
    return {
        "activity_area_code": entry.activity_area_code,
        "outcome_to_date": str(Decimal(entry.outcome_to_date).quantize(KRONA)),
        "full_year_forecast": str(Decimal(entry.full_year_forecast).quantize(KRONA)),
        "comment": entry.comment,
    }


def same_entries(stored: Iterable[FollowUpEntry], wanted: Iterable[FollowUpEntry]) -> bool:
    """The same figures in any order: a replayed report."""

    def area(entry: dict[str, Any]) -> str:
        return str(entry["activity_area_code"])

    return sorted(map(entry_dict, stored), key=area) == sorted(map(entry_dict, wanted), key=area)


@dataclass(frozen=True)
class FollowUpFigures:
    """What the database said about a tertial: the reference version's areas, their totals for
    the budget year, the report if any, and how many areas it covers with their sums."""

    version: BudgetVersion
    areas: Sequence[Any]  # rows of (id, code, name), in the document's order
    area_totals: dict[int, YearTotals]
    budget_total: int
    report: FollowUpReport | None
    covered: int
    outcome: Decimal | None
    forecast: Decimal | None


def follow_up_body(budget: Budget, tertial: Tertial, figures: FollowUpFigures) -> BudgetFollowUp:
    year = str(budget.budget_year)
    report = figures.report
    entries = {e.activity_area_code: e for e in report.entries} if report else {}
    rows = []
    for area in figures.areas:
        entry = entries.get(area.code)
        budget_amount = figures.area_totals.get(area.id, {}).get(year, 0)
        forecast = quantized(entry.full_year_forecast) if entry else None
        rows.append(
            FollowUpRow(
                activity_area_code=area.code,
                activity_area_name=area.name,
                budget=budget_amount,
                outcome_to_date=quantized(entry.outcome_to_date) if entry else None,
                full_year_forecast=forecast,
                deviation=deviation(budget_amount, forecast),
                comment=entry.comment if entry else None,
            )
        )
    outcome, forecast = figures.outcome, figures.forecast
    if figures.covered < len(rows):
        # A sum over some areas set against the whole budget is no total: no data until
        # every area has reported (each reported row still shows its own deviation).
        outcome, forecast = None, None
    board = budget.board
    return BudgetFollowUp(
        municipality_code=board.municipality_code,
        board_code=board.code,
        budget_year=budget.budget_year,
        tertial=tertial,
        period_end=tertial.period_end(budget.budget_year),
        reference_version=figures.version.number,
        reference_phase=figures.version.phase,
        reported=report is not None,
        areas_reported=figures.covered,
        rows=rows,
        total=FollowUpAmounts(
            budget=figures.budget_total,
            outcome_to_date=quantized(outcome),
            full_year_forecast=quantized(forecast),
            deviation=deviation(figures.budget_total, quantized(forecast)),
        ),
        updated_at=report.updated_at if report else None,
    )
