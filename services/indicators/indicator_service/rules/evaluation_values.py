"""The values goal fulfilment works on: frozen inputs and results, exact arithmetic, and the
result pieces every rule shares. Pure: no I/O, no clock, no database (see evaluation.py)."""

from __future__ import annotations

from collections.abc import Mapping
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
    TargetKind,
    ValueStatus,
)

# Arithmetic that is exact or raises: a result needing rounding is a bug, not a status.
EXACT = Context(prec=200, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact])
# Rounding for display only (the band's decimals); comparisons always use exact values.
_DISPLAY = Context(prec=200, rounding=ROUND_HALF_UP, traps=[InvalidOperation, Overflow])
_HUNDRED = Decimal(100)
_BAND_QUANTUM = Decimal("0.000001")

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
class Measure:
    """The outcome being judged and the band setting, shared by the numeric rules."""

    value: Decimal
    period: str
    band: ToleranceBand | None


# --- formatting -------------------------------------------------------------------------


def plain(number: Decimal) -> str:
    """A normalized plain string: 7.90000 -> "7.9", 1.11E+2 -> "111", -0 -> "0"."""
    if number.is_zero():
        return "0"
    return format(number.normalize(EXACT), "f")


def plain_band(band: Decimal) -> str:
    """The band with at most six decimals (display only)."""
    return plain(band.quantize(_BAND_QUANTUM, context=_DISPLAY))


# --- small arithmetic -------------------------------------------------------------------


def band_for(reference: Decimal, tolerance_percent: Decimal) -> Decimal:
    """``|reference| * tolerance_percent / 100``, exactly."""
    return EXACT.divide(EXACT.multiply(reference.copy_abs(), tolerance_percent), _HUNDRED)


def required_after_increase(base: Decimal, percent: Decimal) -> Decimal:
    """``base * (1 + percent / 100)``, exactly."""
    factor = EXACT.add(Decimal(1), EXACT.divide(percent, _HUNDRED))
    return EXACT.multiply(base, factor)


def year_of(period: str) -> int:
    """'2018' -> 2018; '2018-T2' -> 2018."""
    return int(period[:4])


def bearing_value(observation: Observation | None) -> Decimal | None:
    """The number of a value-bearing observation, else None."""
    if observation is None or observation.status not in VALUE_BEARING:
        return None
    return observation.value


def latest_earlier(history: Mapping[int, Observation], year: int) -> tuple[int, Decimal] | None:
    """The latest value-bearing annual value in a year strictly before ``year``."""
    for earlier in sorted((y for y in history if y < year), reverse=True):
        value = bearing_value(history[earlier])
        if value is not None:
            return earlier, value
    return None


# --- results every rule may give ----------------------------------------------------


def not_assessable(rule: str, reason: str, compared: Compared) -> Evaluation:
    return Evaluation(Fulfilment.NOT_ASSESSABLE, rule, reason, compared)


def outcome_fields(observation: Observation | None) -> Compared:
    if observation is None:
        return {"outcome": None, "outcome_period": None}
    value = observation.value
    return {
        "outcome": None if value is None else plain(value),
        "outcome_period": observation.period,
    }


def baseline_missing(year: int, observation: Observation | None, measure: Measure) -> Evaluation:
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
    return not_assessable("baseline_missing", reason, compared)
