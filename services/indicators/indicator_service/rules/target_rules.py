"""The rule of each target kind, as pure functions (see evaluation.py for the order in which
the rules are checked, target_kinds.py for which kind uses which rule, and
target_comparisons.py for the numeric comparisons they share)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from indicator_service.rules.evaluation_values import (
    Assessment,
    Compared,
    Evaluation,
    Measure,
    Observation,
    TargetSpec,
    baseline_missing,
    bearing_value,
    latest_earlier,
    not_assessable,
    outcome_fields,
    plain,
    year_of,
)
from indicator_service.rules.target_comparisons import (
    change,
    event_count,
    relative_increase,
    threshold,
)
from indicator_service.vocabulary import Polarity

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
        return threshold(m, target, True, "value_at_least", "value target, higher is better")
    return threshold(m, target, False, "value_at_most", "value target, lower is better")


def at_least_rule(
    target: TargetSpec, polarity: Polarity, m: Measure, h: Mapping[int, Observation]
) -> Evaluation:
    return threshold(m, target, True, "at_least", "threshold target")


def at_most_rule(
    target: TargetSpec, polarity: Polarity, m: Measure, h: Mapping[int, Observation]
) -> Evaluation:
    return threshold(m, target, False, "at_most", "threshold target")


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
        return change(m, value, year, increase, rule, "latest earlier value")

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
        return change(m, base, target.baseline_year, increase, rule, "baseline year")

    return evaluate_kind


def baseline_value_rule(
    target: TargetSpec, polarity: Polarity, m: Measure, h: Mapping[int, Observation]
) -> Evaluation:
    assert target.baseline_value is not None and target.baseline_year is not None
    return change(
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
    return relative_increase(m, target, base)


def event_count_rule(
    target: TargetSpec, polarity: Polarity, m: Measure, h: Mapping[int, Observation]
) -> Evaluation:
    assert target.count is not None
    return event_count(m, target.count)


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
