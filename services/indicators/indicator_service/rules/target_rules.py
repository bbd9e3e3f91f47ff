"""The rule of each target kind, as pure functions (see evaluation.py for the order in which
the rules are checked, and target_kinds.py for which kind uses which rule)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from indicator_service.rules.evaluation_values import (
    EXACT,
    Assessment,
    Compared,
    Evaluation,
    Measure,
    Observation,
    TargetSpec,
    ToleranceBand,
    band_for,
    baseline_missing,
    bearing_value,
    latest_earlier,
    not_assessable,
    outcome_fields,
    plain,
    plain_band,
    required_after_increase,
    year_of,
)
from indicator_service.vocabulary import Fulfilment, Polarity

# --- rules without a comparison ---------------------------------------------------------


def no_target(target: TargetSpec | None, observation: Observation | None) -> Evaluation:
    if target is None:
        reason = "No target is decided for this indicator and year: not assessable"
    else:
        reason = (
            f"The target for {target.year} is of kind 'none' ({target.wording!r}): not assessable"
        )
    return not_assessable("no_target", reason, outcome_fields(observation))


def _follow_only(observation: Observation | None) -> Evaluation:
    shown = bearing_value(observation)
    what = (
        "" if observation is None or shown is None else f" {plain(shown)} in {observation.period}"
    )
    reason = (
        f"The indicator is followed only (ufm) to show the trend, so the outcome{what} "
        "is never coloured: not assessable"
    )
    return not_assessable("follow_only", reason, outcome_fields(observation))


def _milestone(target: TargetSpec, assessment: Assessment | None) -> Evaluation:
    if assessment is None:
        reason = (
            f"The milestone {target.wording!r} for {target.year} awaits a person's assessment: "
            "not assessable"
        )
        return not_assessable("milestone_awaiting_assessment", reason, {"target_year": target.year})
    reason = (
        f"The milestone {target.wording!r} for {target.year} was assessed as "
        f"{assessment.status.value} by {assessment.assessed_by}: {assessment.motivation}"
    )
    compared: Compared = {
        "target_year": target.year,
        "assessment": assessment.status.value,
        "assessed_by": assessment.assessed_by,
        "motivation": assessment.motivation,
    }
    return Evaluation(assessment.status, "milestone_assessed", reason, compared)


# --- the numeric rules ------------------------------------------------------------------


def _band_fields(band: ToleranceBand | None, width: Decimal | None) -> Compared:
    """The band as compared: nothing when none is set, so no band is ever implied."""
    if band is None or width is None:
        return {}
    return {
        "tolerance_percent": plain(band.percent),
        "band": plain_band(width),
        "tolerance_of": band.owner.value,
        "tolerance_source": band.source,
    }


def _band_text(band: ToleranceBand, width: Decimal) -> str:
    """Names the band, whose it is and the decision it came from."""
    return (
        f"the {band.owner.value}'s {plain(band.percent)} % band ({plain_band(width)}; "
        f"source: {band.source!r})"
    )


def _width(reference: Decimal, band: ToleranceBand | None) -> Decimal | None:
    return None if band is None else band_for(reference, band.percent)


def _threshold(
    measure: Measure, target: TargetSpec, at_least: bool, rule: str, label: str
) -> Evaluation:
    """Met on the right side of the target (reaching it is meeting it); partly met only
    within a set band on the wrong side."""
    assert target.value is not None
    goal, v = target.value, measure.value
    band = measure.band
    width = _width(goal, band)
    met = v >= goal if at_least else v <= goal
    partly = False
    if not met and width is not None:
        partly = v >= EXACT.subtract(goal, width) if at_least else v <= EXACT.add(goal, width)
    direction = "at least" if at_least else "at most"
    head = (
        f"{plain(v)} in {measure.period} {'meets' if met else 'misses'} the target of "
        f"{direction} {plain(goal)} for {target.year} ({label})"
    )
    if met:
        status, reason = Fulfilment.MET, f"{head}: met"
    elif partly:
        assert band is not None and width is not None
        status = Fulfilment.PARTLY_MET
        reason = f"{head} but is within {_band_text(band, width)}: partly met"
    elif band is not None and width is not None:
        status = Fulfilment.NOT_MET
        reason = f"{head} by more than {_band_text(band, width)}: not met"
    else:
        status, reason = Fulfilment.NOT_MET, f"{head}: not met"
    compared: Compared = {
        "outcome": plain(v),
        "outcome_period": measure.period,
        "target": plain(goal),
        "target_year": target.year,
    }
    compared.update(_band_fields(band, width))
    return Evaluation(status, rule, reason, compared)


def _change(
    measure: Measure,
    reference: Decimal,
    reference_year: int,
    increase: bool,
    rule: str,
    label: str,
) -> Evaluation:
    """Met only when strictly beyond the reference in the required direction; with a set
    band, a change within it is "unchanged", partly met."""
    band = measure.band
    width = _width(reference, band)
    difference = EXACT.subtract(measure.value, reference)
    outcome = f"{plain(measure.value)} in {measure.period}"
    against = f"{plain(reference)} in {reference_year} ({label})"
    required = "an increase" if increase else "a decrease"
    if band is not None and width is not None and difference.copy_abs() <= width:
        status = Fulfilment.PARTLY_MET
        reason = (
            f"{outcome} is within {_band_text(band, width)} of {against}: "
            f"unchanged although {required} is required, partly met"
        )
    elif difference.is_zero():
        status = Fulfilment.NOT_MET
        reason = f"{outcome} equals {against}: unchanged although {required} is required, not met"
    else:
        rose = difference > 0
        side = "above" if rose else "below"
        moved = "increased" if rose else "decreased"
        status = Fulfilment.MET if rose == increase else Fulfilment.NOT_MET
        verdict = (
            f"{moved} as required"
            if status is Fulfilment.MET
            else f"{moved} although {required} is required, not met"
        )
        beyond = "" if band is None or width is None else f" by more than {_band_text(band, width)}"
        reason = f"{outcome} is {side} {against}{beyond}: {verdict}"
    compared: Compared = {
        "outcome": plain(measure.value),
        "outcome_period": measure.period,
        "reference": plain(reference),
        "reference_period": str(reference_year),
    }
    compared.update(_band_fields(band, width))
    return Evaluation(status, rule, reason, compared)


def _relative_increase(measure: Measure, target: TargetSpec, base: Decimal) -> Evaluation:
    assert target.percent is not None and target.baseline_year is not None
    required = required_after_increase(base, target.percent)
    band = measure.band
    width = _width(required, band)
    v = measure.value
    rule_text = (
        f"the required {plain(required)} (at least {plain(target.percent)} % above "
        f"{plain(base)} in {target.baseline_year})"
    )
    outcome = f"{plain(v)} in {measure.period}"
    if v >= required:
        status, reason = Fulfilment.MET, f"{outcome} reaches {rule_text}: met"
    elif band is None or width is None:
        status, reason = Fulfilment.NOT_MET, f"{outcome} is below {rule_text}: not met"
    elif v >= EXACT.subtract(required, width):
        status = Fulfilment.PARTLY_MET
        reason = f"{outcome} is below {rule_text} but within {_band_text(band, width)}: partly met"
    else:
        status = Fulfilment.NOT_MET
        reason = f"{outcome} is below {rule_text} by more than {_band_text(band, width)}: not met"
    compared: Compared = {
        "outcome": plain(v),
        "outcome_period": measure.period,
        "base": plain(base),
        "base_period": str(target.baseline_year),
        "percent": plain(target.percent),
        "required": plain(required),
    }
    compared.update(_band_fields(band, width))
    return Evaluation(status, "relative_increase_at_least", reason, compared)


def _event_count(measure: Measure, count: int) -> Evaluation:
    met = measure.value >= count
    verb = "reach" if met else "fall short of"
    reason = (
        f"{plain(measure.value)} events in {measure.period} {verb} the required at least {count}: "
        + ("met" if met else "not met")
    )
    compared: Compared = {
        "outcome": plain(measure.value),
        "outcome_period": measure.period,
        "count": count,
    }
    status = Fulfilment.MET if met else Fulfilment.NOT_MET
    return Evaluation(status, "event_count_at_least", reason, compared)


# --- one rule per kind: compared with a value-bearing outcome ---------------------------

# A kind's rule for a value-bearing outcome: the target, the indicator's polarity, the outcome
# with the band, and the annual history (earlier values and baselines).
OutcomeRule = Callable[[TargetSpec, Polarity, Measure, Mapping[int, Observation]], Evaluation]
# A kind's rule that needs no outcome value: decided by the target or by a person.
StandingRule = Callable[[TargetSpec, Observation | None, Assessment | None], Evaluation]


def value_rule(
    target: TargetSpec, polarity: Polarity, m: Measure, h: Mapping[int, Observation]
) -> Evaluation:
    if polarity is Polarity.HIGHER_IS_BETTER:
        return _threshold(m, target, True, "value_at_least", "value target, higher is better")
    return _threshold(m, target, False, "value_at_most", "value target, lower is better")


def at_least_rule(
    target: TargetSpec, polarity: Polarity, m: Measure, h: Mapping[int, Observation]
) -> Evaluation:
    return _threshold(m, target, True, "at_least", "threshold target")


def at_most_rule(
    target: TargetSpec, polarity: Polarity, m: Measure, h: Mapping[int, Observation]
) -> Evaluation:
    return _threshold(m, target, False, "at_most", "threshold target")


def versus_latest_earlier(increase: bool) -> OutcomeRule:
    rule = "increase_vs_latest_earlier" if increase else "decrease_vs_latest_earlier"

    def evaluate_kind(
        target: TargetSpec, polarity: Polarity, m: Measure, h: Mapping[int, Observation]
    ) -> Evaluation:
        earlier = latest_earlier(h, year_of(m.period))
        if earlier is None:
            reason = (
                f"No value-bearing annual value exists before {year_of(m.period)} to compare "
                f"{plain(m.value)} in {m.period} with: not assessable"
            )
            compared: Compared = {"outcome": plain(m.value), "outcome_period": m.period}
            return not_assessable("no_earlier_value", reason, compared)
        year, value = earlier
        return _change(m, value, year, increase, rule, "latest earlier value")

    return evaluate_kind


def versus_baseline_year(increase: bool) -> OutcomeRule:
    rule = "increase_vs_baseline_year" if increase else "decrease_vs_baseline_year"

    def evaluate_kind(
        target: TargetSpec, polarity: Polarity, m: Measure, h: Mapping[int, Observation]
    ) -> Evaluation:
        assert target.baseline_year is not None
        base = bearing_value(h.get(target.baseline_year))
        if base is None:
            return baseline_missing(target.baseline_year, h.get(target.baseline_year), m)
        return _change(m, base, target.baseline_year, increase, rule, "baseline year")

    return evaluate_kind


def baseline_value_rule(
    target: TargetSpec, polarity: Polarity, m: Measure, h: Mapping[int, Observation]
) -> Evaluation:
    assert target.baseline_value is not None and target.baseline_year is not None
    return _change(
        m,
        target.baseline_value,
        target.baseline_year,
        True,
        "increase_vs_baseline_value",
        "stated baseline value",
    )


def relative_rule(
    target: TargetSpec, polarity: Polarity, m: Measure, h: Mapping[int, Observation]
) -> Evaluation:
    assert target.baseline_year is not None
    base = bearing_value(h.get(target.baseline_year))
    if base is None:
        return baseline_missing(target.baseline_year, h.get(target.baseline_year), m)
    return _relative_increase(m, target, base)


def event_count_rule(
    target: TargetSpec, polarity: Polarity, m: Measure, h: Mapping[int, Observation]
) -> Evaluation:
    assert target.count is not None
    return _event_count(m, target.count)


# --- one rule per kind: decided without an outcome value --------------------------------


def none_rule(
    target: TargetSpec, observation: Observation | None, assessment: Assessment | None
) -> Evaluation:
    return no_target(target, observation)


def follow_only_rule(
    target: TargetSpec, observation: Observation | None, assessment: Assessment | None
) -> Evaluation:
    return _follow_only(observation)


def milestone_rule(
    target: TargetSpec, observation: Observation | None, assessment: Assessment | None
) -> Evaluation:
    return _milestone(target, assessment)
