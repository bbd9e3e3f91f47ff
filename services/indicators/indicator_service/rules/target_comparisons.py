"""The numeric comparisons the target kinds' rules share: an outcome against a threshold,
against an earlier or baseline value (a change), a relative increase, and a count of events.
Exactly as the target is worded unless the municipality set a tolerance band, which then
widens "partly met" and is named with its source (see evaluation.py)."""

from __future__ import annotations

from decimal import Decimal

from indicator_service.rules.evaluation_values import (
    EXACT,
    Compared,
    Evaluation,
    Measure,
    TargetSpec,
    ToleranceBand,
    band_for,
    plain,
    plain_band,
    required_after_increase,
)
from indicator_service.vocabulary import Fulfilment


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


def threshold(
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


def change(
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


def relative_increase(measure: Measure, target: TargetSpec, base: Decimal) -> Evaluation:
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


def event_count(measure: Measure, count: int) -> Evaluation:
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
