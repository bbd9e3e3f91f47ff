"""The tertial follow-up: reporting outcome to date and full-year forecast per activity area,
and reading it as robots do, with the year's budget (from the reference version) and the
deviation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from budget_service import repository as repo
from budget_service import rules
from budget_service.models import AuditEntry, Budget, FollowUpEntry, FollowUpReport
from budget_service.rules import deviation
from budget_service.schemas import FollowUpIn
from budget_service.service import BudgetKey, find_budget
from municipal_shared.contracts.budget import BudgetFollowUp, FollowUpAmounts, FollowUpRow
from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.concurrency import check_if_match, make_etag
from municipal_shared.kit.database import commit, utc_now
from municipal_shared.kit.problems import field_error, raise_if
from municipal_shared.types import Tertial


def _quantized(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.001"))


async def build_follow_up(
    session: AsyncSession, budget: Budget, tertial: Tertial
) -> tuple[BudgetFollowUp, str | None]:
    version = await repo.reference_version(session, budget.id)
    year = str(budget.budget_year)
    area_totals = await repo.area_totals(session, version.id)
    report = await repo.get_follow_up(session, budget.id, tertial)
    entries = {e.activity_area_code: e for e in report.entries} if report else {}
    rows = []
    for area in await repo.activity_areas(session, version.id):
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
    covered, outcome, forecast = 0, None, None
    if report is not None:
        covered, outcome, forecast = await repo.follow_up_sums(session, report.id, version.id)
    if covered < len(rows):
        # A sum over some areas set against the whole budget is no total: no data until
        # every area has reported (each reported row still shows its own deviation).
        outcome, forecast = None, None
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
        areas_reported=covered,
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


KRONA = Decimal("0.001")  # thousand SEK to the krona


def follow_up_etag(report: FollowUpReport) -> str:
    return make_etag("follow-up", report.id, report.row_version)


async def put_follow_up(
    session: AsyncSession,
    actor: str,
    key: BudgetKey,
    tertial: str,
    if_match: str | None,
    body: FollowUpIn,
) -> FollowUpReport:
    budget = await find_budget(session, key)
    # Follow-up measures against the latest decided version, or the head while none is.
    version = await repo.reference_version(session, budget.id)
    area_codes = {a.code for a in await repo.activity_areas(session, version.id)}
    errors = [
        field_error(
            f"/entries/{i}/activity_area_code",
            f"version {version.number} has no activity area {e.activity_area_code}",
        )
        for i, e in enumerate(body.entries)
        if e.activity_area_code not in area_codes
    ]
    seen: set[str] = set()
    for i, e in enumerate(body.entries):
        if e.activity_area_code in seen:
            errors.append(field_error(f"/entries/{i}/activity_area_code", "given twice"))
        seen.add(e.activity_area_code)
    raise_if(errors, "Follow-up does not fit the budget")
    report = await repo.get_follow_up(session, budget.id, tertial)
    wanted = [_entry_dict(FollowUpEntry(**e.model_dump())) for e in body.entries]
    if report is not None and sorted(map(_entry_dict, report.entries), key=_area) == sorted(
        wanted, key=_area
    ):
        return report  # the same figures again: a replay, nothing to do
    before: list[dict[str, Any]] = []
    if report is None:
        report = FollowUpReport(budget_id=budget.id, tertial=tertial)
        session.add(report)
    else:
        check_if_match(if_match, follow_up_etag(report))
        before = [_entry_dict(e) for e in report.entries]
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
        budget_id=budget.id,
        changes=rules.changes_between(before, [_entry_dict(e) for e in report.entries]),
    )
    await commit(session)
    stored = await repo.get_follow_up(session, budget.id, tertial)
    assert stored is not None  # committed just above
    return stored


def _area(entry: dict[str, Any]) -> str:
    return str(entry["activity_area_code"])


def _entry_dict(entry: FollowUpEntry) -> dict[str, Any]:
    return {
        "activity_area_code": entry.activity_area_code,
        "outcome_to_date": str(Decimal(entry.outcome_to_date).quantize(KRONA)),
        "full_year_forecast": str(Decimal(entry.full_year_forecast).quantize(KRONA)),
        "comment": entry.comment,
    }
