"""Goal fulfilment (måluppfyllelse): how one outcome stands against its decided target.

Why this module exists apart from the API and the database: the status shown to the board is
a decision support, so every status must be reproducible and explained.  The rules therefore
live here as pure functions over frozen values: no I/O, no clock, no database, and exact
``Decimal`` arithmetic (never float), so the same inputs always give the same status, the
same rule id and the same sentence, and a test can pin every rule.

Every result names its rule (``Evaluation.rule``), says in one English sentence which values
were compared and why that gives the status (``reason``), and lists the compared values as
plain strings (``compared``).

Rules, checked in this order:

- ``no_target``: no target, or a target of kind ``none`` -> not assessable.
- ``follow_only``: a follow-only indicator (ufm, utfallsmätning) is followed to show the trend
  and is never coloured -> not assessable, even when it has a value.
- ``milestone_assessed``: a milestone is qualitative; its status is the one a person gave, with
  a motivation.  Without an assessment -> ``milestone_awaiting_assessment``, not assessable.
- ``no_outcome``: no outcome reported -> not assessable.
- ``missing_value``: the outcome's status is not value-bearing (e.g. ``no_data``, i.u) -> not
  assessable.  A missing value is a status, never a zero.
- ``target_incomplete``: the target lacks a parameter its kind needs (the API refuses such a
  target; this guards data that bypassed it) -> not assessable.

Every comparison is exactly as the target is worded, unless the municipality has set a
tolerance band.  No public source gives a band, so none is assumed: a band exists only where
the register or the indicator sets one, and it always carries its stated source (the decision
that set it), which the reason names together with whose band it is.  Without a band:

- ``value_at_least`` / ``value_at_most`` (kind ``value``; the indicator's polarity picks the
  direction): higher is better -> met if outcome >= target, else not met; lower is better ->
  met if outcome <= target, else not met.  Reaching the target is meeting it.
- ``at_least`` / ``at_most``: the same with the direction fixed by the kind ("minst 80"),
  whatever the polarity.
- ``increase_vs_latest_earlier`` / ``decrease_vs_latest_earlier``: the reference is the latest
  value-bearing annual value in a year strictly before the outcome's year (missing ->
  ``no_earlier_value``).  Met if the outcome is strictly above (below) the reference, else not
  met: an unchanged value has not increased ("ska öka") nor decreased ("ska minska").
- ``increase_vs_baseline_year`` / ``decrease_vs_baseline_year``: the same against the annual
  value of the baseline year ("lägre än 2017"); a baseline may arrive later, so without it ->
  ``baseline_missing``.
- ``increase_vs_baseline_value``: the same against the stated baseline value of the target.
- ``relative_increase_at_least``: required = base * (1 + percent / 100), base being the annual
  value of the baseline year (missing -> ``baseline_missing``); met if outcome >= required,
  else not met.
- ``event_count_at_least``: met if the number of events >= the count, else not met (a band
  never applies to a count).

With a band (``band = |reference| * percent / 100``, the reference being the target value,
the earlier value, the baseline value or the required value): a threshold missed by at most
the band is partly met; a change of at most the band either way is "unchanged", partly met,
and only a change beyond the band counts as met or not met.

Roll-ups count statuses; not-assessable indicators are counted and shown but excluded from the
share met.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)

from indicator_service.vocabulary import (
    VALUE_BEARING,
    BandOwner,
    Fulfilment,
    Polarity,
    TargetKind,
    ValueStatus,
)

# Arithmetic that is exact or raises: a result needing rounding is a bug, not a status.
_EXACT = Context(prec=200, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact])
# Rounding for display only (the band's decimals); comparisons always use exact values.
_DISPLAY = Context(prec=200, rounding=ROUND_HALF_UP, traps=[InvalidOperation, Overflow])
_HUNDRED = Decimal(100)
_BAND_QUANTUM = Decimal("0.000001")
_SHARE_SCALE = 10_000  # share_met is quantized to 0.0001

Compared = dict[str, str | int | None]


@dataclass(frozen=True)
class TargetSpec:
    """A decided target for a year, in machine form next to the decided wording."""

    year: int
    kind: TargetKind
    wording: str
    value: Decimal | None = None
    baseline_year: int | None = None
    baseline_value: Decimal | None = None
    percent: Decimal | None = None
    count: int | None = None


@dataclass(frozen=True)
class Observation:
    """An outcome for a period: "2018" or a tertial "2018-T2"; a missing value has a status."""

    period: str
    value: Decimal | None
    status: ValueStatus


@dataclass(frozen=True)
class Assessment:
    """A person's assessment of a milestone target."""

    status: Fulfilment  # met | partly_met | not_met
    motivation: str
    assessed_by: str


@dataclass(frozen=True)
class ToleranceBand:
    """A band the municipality set, with the decision it came from (e.g. "Kommunstyrelsens
    beslut 2018-03-06 § 45"); a band nobody can trace was never decided, so a source is
    required."""

    percent: Decimal
    source: str
    owner: BandOwner

    def __post_init__(self) -> None:
        if self.percent < 0:
            raise ValueError(f"tolerance_percent must not be negative, got {self.percent}")
        if not self.source.strip():
            raise ValueError("a tolerance band needs its stated source")


def applicable_band(
    indicator_percent: Decimal | None,
    indicator_source: str | None,
    register_percent: Decimal | None,
    register_source: str | None,
) -> ToleranceBand | None:
    """The indicator's band, else the register's, else none. A percent without a source is
    no band (it was never decided), whichever level it sits on."""
    if indicator_percent is not None and indicator_source:
        return ToleranceBand(indicator_percent, indicator_source, BandOwner.INDICATOR)
    if register_percent is not None and register_source:
        return ToleranceBand(register_percent, register_source, BandOwner.REGISTER)
    return None


@dataclass(frozen=True)
class Evaluation:
    status: Fulfilment
    rule: str
    reason: str
    compared: Compared


@dataclass(frozen=True)
class RollUp:
    counts: dict[Fulfilment, int]
    total: int
    assessable: int
    share_met: Decimal | None


@dataclass(frozen=True)
class _Measure:
    """The outcome being judged and the band setting, shared by the numeric rules."""

    value: Decimal
    period: str
    band: ToleranceBand | None


# --- formatting -------------------------------------------------------------------------


def plain(number: Decimal) -> str:
    """A normalized plain string: 7.90000 -> "7.9", 1.11E+2 -> "111", -0 -> "0"."""
    if number.is_zero():
        return "0"
    return format(number.normalize(_EXACT), "f")


def _plain_band(band: Decimal) -> str:
    """The band with at most six decimals (display only)."""
    return plain(band.quantize(_BAND_QUANTUM, context=_DISPLAY))


# --- small arithmetic -------------------------------------------------------------------


def band_for(reference: Decimal, tolerance_percent: Decimal) -> Decimal:
    """``|reference| * tolerance_percent / 100``, exactly."""
    return _EXACT.divide(_EXACT.multiply(reference.copy_abs(), tolerance_percent), _HUNDRED)


def required_after_increase(base: Decimal, percent: Decimal) -> Decimal:
    """``base * (1 + percent / 100)``, exactly."""
    factor = _EXACT.add(Decimal(1), _EXACT.divide(percent, _HUNDRED))
    return _EXACT.multiply(base, factor)


def year_of(period: str) -> int:
    """'2018' -> 2018; '2018-T2' -> 2018."""
    return int(period[:4])


def _bearing_value(observation: Observation | None) -> Decimal | None:
    """The number of a value-bearing observation, else None."""
    if observation is None or observation.status not in VALUE_BEARING:
        return None
    return observation.value


def latest_earlier(history: Mapping[int, Observation], year: int) -> tuple[int, Decimal] | None:
    """The latest value-bearing annual value in a year strictly before ``year``."""
    for earlier in sorted((y for y in history if y < year), reverse=True):
        value = _bearing_value(history[earlier])
        if value is not None:
            return earlier, value
    return None


# --- results that need no comparison ----------------------------------------------------


def _not_assessable(rule: str, reason: str, compared: Compared) -> Evaluation:
    return Evaluation(Fulfilment.NOT_ASSESSABLE, rule, reason, compared)


def _outcome_fields(observation: Observation | None) -> Compared:
    if observation is None:
        return {"outcome": None, "outcome_period": None}
    value = observation.value
    return {
        "outcome": None if value is None else plain(value),
        "outcome_period": observation.period,
    }


def _no_target(target: TargetSpec | None, observation: Observation | None) -> Evaluation:
    if target is None:
        reason = "No target is decided for this indicator and year: not assessable"
    else:
        reason = (
            f"The target for {target.year} is of kind 'none' ({target.wording!r}): not assessable"
        )
    return _not_assessable("no_target", reason, _outcome_fields(observation))


def _follow_only(observation: Observation | None) -> Evaluation:
    shown = _bearing_value(observation)
    what = (
        "" if observation is None or shown is None else f" {plain(shown)} in {observation.period}"
    )
    reason = (
        f"The indicator is followed only (ufm) to show the trend, so the outcome{what} "
        "is never coloured: not assessable"
    )
    return _not_assessable("follow_only", reason, _outcome_fields(observation))


def _milestone(target: TargetSpec, assessment: Assessment | None) -> Evaluation:
    if assessment is None:
        reason = (
            f"The milestone {target.wording!r} for {target.year} awaits a person's assessment: "
            "not assessable"
        )
        return _not_assessable(
            "milestone_awaiting_assessment", reason, {"target_year": target.year}
        )
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


def _missing_value(observation: Observation) -> Evaluation:
    if observation.status in VALUE_BEARING:
        why = f"has status {observation.status.value} but no number"
    else:
        why = f"has status {observation.status.value}: no value, which is never a zero"
    reason = f"The outcome for {observation.period} {why}: not assessable"
    compared = _outcome_fields(observation) | {"outcome_status": observation.status.value}
    return _not_assessable("missing_value", reason, compared)


_NEEDED: dict[TargetKind, tuple[str, ...]] = {
    TargetKind.VALUE: ("value",),
    TargetKind.AT_LEAST: ("value",),
    TargetKind.AT_MOST: ("value",),
    TargetKind.INCREASE_FROM_BASELINE_YEAR: ("baseline_year",),
    TargetKind.DECREASE_FROM_BASELINE_YEAR: ("baseline_year",),
    TargetKind.INCREASE_FROM_BASELINE_VALUE: ("baseline_value", "baseline_year"),
    TargetKind.RELATIVE_INCREASE_AT_LEAST: ("percent", "baseline_year"),
    TargetKind.EVENT_COUNT_AT_LEAST: ("count",),
}


def _incomplete(target: TargetSpec) -> Evaluation | None:
    missing = [name for name in _NEEDED.get(target.kind, ()) if getattr(target, name) is None]
    if not missing:
        return None
    reason = (
        f"The {target.kind.value} target for {target.year} lacks {', '.join(missing)}: "
        "not assessable"
    )
    return _not_assessable("target_incomplete", reason, {"target_year": target.year})


def _baseline_missing(year: int, observation: Observation | None, measure: _Measure) -> Evaluation:
    state = "is not reported" if observation is None else f"has status {observation.status.value}"
    reason = (
        f"The baseline value for {year} {state} (it may arrive later), so {plain(measure.value)} "
        f"in {measure.period} cannot be compared: not assessable"
    )
    compared: Compared = {
        "outcome": plain(measure.value),
        "outcome_period": measure.period,
        "reference": None,
        "reference_period": str(year),
    }
    return _not_assessable("baseline_missing", reason, compared)


# --- the numeric rules ------------------------------------------------------------------


def _band_fields(band: ToleranceBand | None, width: Decimal | None) -> Compared:
    """The band as compared: nothing when none is set, so no band is ever implied."""
    if band is None or width is None:
        return {}
    return {
        "tolerance_percent": plain(band.percent),
        "band": _plain_band(width),
        "tolerance_of": band.owner.value,
        "tolerance_source": band.source,
    }


def _band_text(band: ToleranceBand, width: Decimal) -> str:
    """Names the band, whose it is and the decision it came from."""
    return (
        f"the {band.owner.value}'s {plain(band.percent)} % band ({_plain_band(width)}; "
        f"source: {band.source!r})"
    )


def _width(reference: Decimal, band: ToleranceBand | None) -> Decimal | None:
    return None if band is None else band_for(reference, band.percent)


def _threshold(
    measure: _Measure, target: TargetSpec, at_least: bool, rule: str, label: str
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
        partly = v >= _EXACT.subtract(goal, width) if at_least else v <= _EXACT.add(goal, width)
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
    } | _band_fields(band, width)
    return Evaluation(status, rule, reason, compared)


def _change(
    measure: _Measure,
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
    difference = _EXACT.subtract(measure.value, reference)
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
    } | _band_fields(band, width)
    return Evaluation(status, rule, reason, compared)


def _relative_increase(measure: _Measure, target: TargetSpec, base: Decimal) -> Evaluation:
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
    elif v >= _EXACT.subtract(required, width):
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
    } | _band_fields(band, width)
    return Evaluation(status, "relative_increase_at_least", reason, compared)


def _event_count(measure: _Measure, count: int) -> Evaluation:
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


# --- dispatch per kind ------------------------------------------------------------------

_Rule = Callable[[TargetSpec, Polarity, _Measure, Mapping[int, Observation]], Evaluation]


def _value_rule(
    target: TargetSpec, polarity: Polarity, m: _Measure, h: Mapping[int, Observation]
) -> Evaluation:
    if polarity is Polarity.HIGHER_IS_BETTER:
        return _threshold(m, target, True, "value_at_least", "value target, higher is better")
    return _threshold(m, target, False, "value_at_most", "value target, lower is better")


def _at_least_rule(
    target: TargetSpec, polarity: Polarity, m: _Measure, h: Mapping[int, Observation]
) -> Evaluation:
    return _threshold(m, target, True, "at_least", "threshold target")


def _at_most_rule(
    target: TargetSpec, polarity: Polarity, m: _Measure, h: Mapping[int, Observation]
) -> Evaluation:
    return _threshold(m, target, False, "at_most", "threshold target")


def _versus_latest_earlier(increase: bool) -> _Rule:
    rule = "increase_vs_latest_earlier" if increase else "decrease_vs_latest_earlier"

    def evaluate_kind(
        target: TargetSpec, polarity: Polarity, m: _Measure, h: Mapping[int, Observation]
    ) -> Evaluation:
        earlier = latest_earlier(h, year_of(m.period))
        if earlier is None:
            reason = (
                f"No value-bearing annual value exists before {year_of(m.period)} to compare "
                f"{plain(m.value)} in {m.period} with: not assessable"
            )
            compared: Compared = {"outcome": plain(m.value), "outcome_period": m.period}
            return _not_assessable("no_earlier_value", reason, compared)
        year, value = earlier
        return _change(m, value, year, increase, rule, "latest earlier value")

    return evaluate_kind


def _versus_baseline_year(increase: bool) -> _Rule:
    rule = "increase_vs_baseline_year" if increase else "decrease_vs_baseline_year"

    def evaluate_kind(
        target: TargetSpec, polarity: Polarity, m: _Measure, h: Mapping[int, Observation]
    ) -> Evaluation:
        assert target.baseline_year is not None
        base = _bearing_value(h.get(target.baseline_year))
        if base is None:
            return _baseline_missing(target.baseline_year, h.get(target.baseline_year), m)
        return _change(m, base, target.baseline_year, increase, rule, "baseline year")

    return evaluate_kind


def _baseline_value_rule(
    target: TargetSpec, polarity: Polarity, m: _Measure, h: Mapping[int, Observation]
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


def _relative_rule(
    target: TargetSpec, polarity: Polarity, m: _Measure, h: Mapping[int, Observation]
) -> Evaluation:
    assert target.baseline_year is not None
    base = _bearing_value(h.get(target.baseline_year))
    if base is None:
        return _baseline_missing(target.baseline_year, h.get(target.baseline_year), m)
    return _relative_increase(m, target, base)


def _event_count_rule(
    target: TargetSpec, polarity: Polarity, m: _Measure, h: Mapping[int, Observation]
) -> Evaluation:
    assert target.count is not None
    return _event_count(m, target.count)


_NUMERIC_RULES: dict[TargetKind, _Rule] = {
    TargetKind.VALUE: _value_rule,
    TargetKind.AT_LEAST: _at_least_rule,
    TargetKind.AT_MOST: _at_most_rule,
    TargetKind.INCREASE: _versus_latest_earlier(increase=True),
    TargetKind.DECREASE: _versus_latest_earlier(increase=False),
    TargetKind.INCREASE_FROM_BASELINE_YEAR: _versus_baseline_year(increase=True),
    TargetKind.DECREASE_FROM_BASELINE_YEAR: _versus_baseline_year(increase=False),
    TargetKind.INCREASE_FROM_BASELINE_VALUE: _baseline_value_rule,
    TargetKind.RELATIVE_INCREASE_AT_LEAST: _relative_rule,
    TargetKind.EVENT_COUNT_AT_LEAST: _event_count_rule,
}


def evaluate(
    target: TargetSpec | None,
    polarity: Polarity,
    observation: Observation | None,
    annual_history: Mapping[int, Observation],
    band: ToleranceBand | None,
    assessment: Assessment | None = None,
) -> Evaluation:
    """The goal fulfilment of ``observation`` against ``target``; see the module docstring.

    ``annual_history`` holds the indicator's annual outcomes by year (the earlier values and
    baselines); ``band`` is the tolerance band the municipality set (see
    ``applicable_band``), or None: then every comparison is exactly as worded.
    """
    if target is None or target.kind is TargetKind.NONE:
        return _no_target(target, observation)
    if target.kind is TargetKind.FOLLOW_ONLY:
        return _follow_only(observation)
    if target.kind is TargetKind.MILESTONE:
        return _milestone(target, assessment)
    if observation is None:
        reason = (
            f"No outcome is reported to compare with the target for {target.year}: not assessable"
        )
        return _not_assessable("no_outcome", reason, _outcome_fields(None))
    value = _bearing_value(observation)
    if value is None:
        return _missing_value(observation)
    incomplete = _incomplete(target)
    if incomplete is not None:
        return incomplete
    measure = _Measure(value, observation.period, band)
    return _NUMERIC_RULES[target.kind](target, polarity, measure, annual_history)


# --- roll-up ----------------------------------------------------------------------------


def share(part: int, whole: int) -> Decimal:
    """``part / whole`` rounded half up to 0.0001, in exact integer arithmetic."""
    quotient, remainder = divmod(part * _SHARE_SCALE, whole)
    if 2 * remainder >= whole:
        quotient += 1
    return Decimal(quotient).scaleb(-4)


def roll_up(statuses: Iterable[Fulfilment]) -> RollUp:
    """Counts per status; not-assessable ones are counted but left out of the share met."""
    counts = dict.fromkeys(Fulfilment, 0)
    for status in statuses:
        counts[Fulfilment(status)] += 1
    total = sum(counts.values())
    assessable = total - counts[Fulfilment.NOT_ASSESSABLE]
    share_met = share(counts[Fulfilment.MET], assessable) if assessable else None
    return RollUp(counts, total, assessable, share_met)
