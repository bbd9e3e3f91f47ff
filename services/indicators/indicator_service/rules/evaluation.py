"""Goal fulfilment (måluppfyllelse): how one outcome stands against its decided target.

Why this module exists apart from the API and the database: the status shown to the board is
a decision support, so every status must be reproducible and explained.  The rules therefore
live here as pure functions over frozen values: no I/O, no clock, no database, and exact
``Decimal`` arithmetic (never float), so the same inputs always give the same status, the
same rule id and the same sentence, and a test can pin every rule.

Every result names its rule (``Evaluation.rule``), says in one English sentence which values
were compared and why that gives the status (``reason``), and lists the compared values as
plain strings (``compared``).

Which rule a kind of target uses, and which parameters it needs, is declared once in
target_kinds.py; the rules themselves are in target_rules.py, the values in
evaluation_values.py.  Rules, checked in this order:

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

from collections.abc import Iterable, Mapping
from decimal import Decimal

# The values are re-exported: callers import goal fulfilment from this one module.
from indicator_service.rules.evaluation_values import (
    Assessment,
    Evaluation,
    Measure,
    Observation,
    RollUp,
    TargetSpec,
    ToleranceBand,
    applicable_band,
    band_for,
    bearing_value,
    latest_earlier,
    not_assessable,
    outcome_fields,
    plain,
    required_after_increase,
    year_of,
)
from indicator_service.rules.target_kinds import KINDS, missing_parameters
from indicator_service.rules.target_rules import no_target
from indicator_service.vocabulary import VALUE_BEARING, Fulfilment, Polarity

__all__ = [
    "Assessment",
    "Evaluation",
    "Observation",
    "RollUp",
    "TargetSpec",
    "ToleranceBand",
    "applicable_band",
    "band_for",
    "evaluate",
    "latest_earlier",
    "plain",
    "required_after_increase",
    "roll_up",
    "share",
    "year_of",
]

_SHARE_SCALE = 10_000  # share_met is quantized to 0.0001


def _missing_value(observation: Observation) -> Evaluation:
    if observation.status in VALUE_BEARING:
        why = f"has status {observation.status.value} but no number"
    else:
        why = f"has status {observation.status.value}: no value, which is never a zero"
    reason = f"The outcome for {observation.period} {why}: not assessable"
    compared = outcome_fields(observation) | {"outcome_status": observation.status.value}
    return not_assessable("missing_value", reason, compared)


def _incomplete(target: TargetSpec) -> Evaluation | None:
    missing = missing_parameters(target.kind, vars(target))
    if not missing:
        return None
    reason = (
        f"The {target.kind.value} target for {target.year} lacks {', '.join(missing)}: "
        "not assessable"
    )
    return not_assessable("target_incomplete", reason, {"target_year": target.year})


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
    if target is None:
        return no_target(None, observation)
    kind = KINDS[target.kind]
    if kind.standing is not None:
        return kind.standing(target, observation, assessment)
    assert kind.compare is not None  # a declaration has exactly one rule
    if observation is None:
        reason = (
            f"No outcome is reported to compare with the target for {target.year}: not assessable"
        )
        return not_assessable("no_outcome", reason, outcome_fields(None))
    value = bearing_value(observation)
    if value is None:
        return _missing_value(observation)
    incomplete = _incomplete(target)
    if incomplete is not None:
        return incomplete
    return kind.compare(target, polarity, Measure(value, observation.period, band), annual_history)


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
