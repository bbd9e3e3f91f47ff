"""The tertial report: every indicator with its outcome, target and evaluation, rolled up per
council goal and focus area. An annual indicator in a T1 or T2 report shows its latest value,
the period it refers to, and that it lags."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service import repository as repo
from indicator_service.evaluation import (
    Assessment as AssessmentSpec,
)
from indicator_service.evaluation import (
    Evaluation,
    Observation,
    TargetSpec,
    applicable_band,
    evaluate,
    roll_up,
)
from indicator_service.models import Indicator, Outcome, Register, Target
from indicator_service.presenters import indicator_summary, outcome_out, target_out
from indicator_service.schemas import EvaluationOut
from indicator_service.schemas_out import ReportRow, RollUpOut, TertialReport
from indicator_service.vocabulary import (
    Fulfilment,
    Polarity,
    TargetKind,
    UpdateFrequency,
    ValueStatus,
)
from municipal_shared.kit.database import utc_now
from municipal_shared.kit.problems import NotFound
from municipal_shared.types import Tertial


def _observation(outcome: Outcome) -> Observation:
    value = None if outcome.value is None else Decimal(outcome.value)
    return Observation(outcome.period, value, ValueStatus(outcome.status))


def _spec(target: Target | None) -> TargetSpec | None:
    if target is None:
        return None
    return TargetSpec(
        year=target.year,
        kind=TargetKind(target.kind),
        wording=target.wording,
        value=target.value,
        baseline_year=target.baseline_year,
        baseline_value=target.baseline_value,
        percent=target.percent,
        count=target.count,
    )


def choose_outcome(
    indicator: Indicator, outcomes: list[Outcome], year: int, tertial: Tertial
) -> Outcome | None:
    """The value a report for (year, tertial) uses. `outcomes` are current rows, oldest first,
    so among sources the newest recorded wins."""
    by_period: dict[str, Outcome] = {}
    for outcome in sorted(outcomes, key=lambda o: o.id):
        by_period[outcome.period] = outcome
    if indicator.update_frequency != UpdateFrequency.ANNUAL:
        found = by_period.get(f"{year}-{tertial}")
        if found is not None or tertial != Tertial.T3:
            return found
    annual = [o for p, o in by_period.items() if "-" not in p and o.year <= year]
    return max(annual, key=lambda o: o.year, default=None)


def _annual_history(outcomes: list[Outcome]) -> dict[int, Observation]:
    history: dict[int, Observation] = {}
    for outcome in sorted(outcomes, key=lambda o: o.id):
        if outcome.tertial is None:
            history[outcome.year] = _observation(outcome)
    return history


def _rollup(key: str, title: str, statuses: Iterable[Fulfilment]) -> RollUpOut:
    result = roll_up(statuses)
    return RollUpOut(
        key=key,
        title=title,
        counts=result.counts,
        total=result.total,
        assessable=result.assessable,
        share_met=result.share_met,
    )


def _evaluation_out(evaluation: Evaluation) -> EvaluationOut:
    return EvaluationOut(
        status=evaluation.status,
        rule=evaluation.rule,
        reason=evaluation.reason,
        compared=dict(evaluation.compared),
    )


def check_year(register: Register, year: int) -> None:
    """A report exists for the register's years only."""
    if not register.first_year <= year <= register.last_year:
        raise NotFound(
            f"The register covers {register.first_year}-{register.last_year}, not {year}"
        )


async def tertial_report(
    session: AsyncSession, register: Register, year: int, tertial: Tertial
) -> TertialReport:
    check_year(register, year)
    return await build_report(session, register, year, tertial)


async def build_report(
    session: AsyncSession, register: Register, year: int, tertial: Tertial
) -> TertialReport:
    indicators = list((await repo.indicators_by_code(session, register.id)).values())
    outcomes: dict[int, list[Outcome]] = defaultdict(list)
    for outcome in await repo.current_outcomes(session, register.id, up_to_year=year):
        outcomes[outcome.indicator_id].append(outcome)
    assessments = await repo.latest_assessments(session, register.id, year)
    rows: list[ReportRow] = []
    for indicator in indicators:
        target = next((t for t in indicator.targets if t.year == year), None)
        chosen = choose_outcome(indicator, outcomes[indicator.id], year, tertial)
        assessment = assessments.get(indicator.id)
        evaluation = evaluate(
            _spec(target),
            Polarity(indicator.polarity),
            None if chosen is None else _observation(chosen),
            _annual_history(outcomes[indicator.id]),
            applicable_band(
                indicator.tolerance_percent,
                indicator.tolerance_source,
                register.default_tolerance_percent,
                register.default_tolerance_source,
            ),
            None
            if assessment is None
            else AssessmentSpec(
                Fulfilment(assessment.status), assessment.motivation, assessment.assessed_by
            ),
        )
        rows.append(
            ReportRow(
                indicator=indicator_summary(register, indicator),
                target=None if target is None else target_out(target),
                outcome=None if chosen is None else outcome_out(chosen),
                reference_period=None if chosen is None else chosen.period,
                lagging=chosen is not None and chosen.tertial is None and chosen.year < year,
                evaluation=_evaluation_out(evaluation),
            )
        )
    status = {row.indicator.code: row.evaluation.status for row in rows}
    goals = await repo.council_goals(session, register.id)
    areas = await repo.focus_areas(session, register.id)
    return TertialReport(
        municipality_code=register.municipality_code,
        board_code=register.board_code,
        year=year,
        tertial=tertial,
        period=f"{year}-{tertial}",
        period_end=tertial.period_end(year),
        generated_at=utc_now(),
        rows=rows,
        council_goals=[
            _rollup(
                str(g.number),
                g.title,
                (
                    status[i.code]
                    for i in indicators
                    if g.number in {x.number for x in i.council_goals}
                ),
            )
            for g in goals
        ],
        focus_areas=[
            _rollup(
                a.code,
                a.name,
                (status[i.code] for i in indicators if a.code in {x.code for x in i.focus_areas}),
            )
            for a in areas
        ],
        overall=_rollup("all", register.name, status.values()),
    )
