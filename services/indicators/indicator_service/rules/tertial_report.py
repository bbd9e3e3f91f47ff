"""What the tertial report decides per indicator, as plain functions: which years a report
exists for, which outcome it uses (an annual indicator in a T1 or T2 report shows its latest
value, which then lags), and the evaluation of that outcome against the year's target."""

from __future__ import annotations

from decimal import Decimal

from indicator_service.models import Assessment, Indicator, Outcome, Register, Target
from indicator_service.rules.evaluation import (
    Assessment as AssessmentSpec,
)
from indicator_service.rules.evaluation import (
    Evaluation,
    Observation,
    TargetSpec,
    applicable_band,
    evaluate,
)
from indicator_service.vocabulary import (
    Fulfilment,
    Polarity,
    TargetKind,
    UpdateFrequency,
    ValueStatus,
)
from municipal_shared.kit.problems import NotFound
from municipal_shared.types import Tertial


def check_year(register: Register, year: int) -> None:
    """A report exists for the register's years only."""
    if not register.first_year <= year <= register.last_year:
        raise NotFound(
            f"The register covers {register.first_year}-{register.last_year}, not {year}"
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


def is_lagging(chosen: Outcome | None, year: int) -> bool:
    """An annual value older than the report's year."""
    return chosen is not None and chosen.tertial is None and chosen.year < year


def evaluate_indicator(
    register: Register,
    indicator: Indicator,
    target: Target | None,
    chosen: Outcome | None,
    outcomes: list[Outcome],
    assessment: Assessment | None,
) -> Evaluation:
    """The indicator's goal fulfilment in the report: the chosen outcome against the year's
    target, with the annual history, the band that applies and a person's assessment."""
    return evaluate(
        _spec(target),
        Polarity(indicator.polarity),
        None if chosen is None else _observation(chosen),
        _annual_history(outcomes),
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


def _annual_history(outcomes: list[Outcome]) -> dict[int, Observation]:
    history: dict[int, Observation] = {}
    for outcome in sorted(outcomes, key=lambda o: o.id):
        if outcome.tertial is None:
            history[outcome.year] = _observation(outcome)
    return history
