"""Goal fulfilment rules: every target kind, both polarities, and the customer's cases.

No band is assumed: a target is evaluated exactly as worded, and "partly met" exists only with
a band the municipality set (with its source). Tests that need partly met pass BAND."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from decimal import Decimal

import pytest

from indicator_service.rules.evaluation import (
    Assessment,
    Evaluation,
    Observation,
    TargetSpec,
    ToleranceBand,
    applicable_band,
    evaluate,
    plain,
    roll_up,
)
from indicator_service.vocabulary import BandOwner, Fulfilment, Polarity, TargetKind, ValueStatus

HIGHER = Polarity.HIGHER_IS_BETTER
LOWER = Polarity.LOWER_IS_BETTER
MET = Fulfilment.MET
PARTLY = Fulfilment.PARTLY_MET
NOT_MET = Fulfilment.NOT_MET
NA = Fulfilment.NOT_ASSESSABLE
TWO = Decimal(2)
# A test band: a decision of the kind a municipality would cite (not from the document).
SOURCE = "Kommunstyrelsens beslut 2018-03-06 § 45"
BAND = ToleranceBand(TWO, SOURCE, BandOwner.REGISTER)
BAND_TEXT = f"the register's 2 % band ({{}}; source: {SOURCE!r})"
BAND_FIELDS = {"tolerance_percent": "2", "tolerance_of": "register", "tolerance_source": SOURCE}


def band(percent: str, owner: BandOwner = BandOwner.REGISTER) -> ToleranceBand:
    return ToleranceBand(Decimal(percent), SOURCE, owner)


@pytest.fixture(autouse=True)
def clean_tables() -> None:
    """These rules are pure: override the directory's autouse table wipe, so no database."""


def obs(period: str, value: str | None, status: ValueStatus = ValueStatus.NORMAL) -> Observation:
    return Observation(period, None if value is None else Decimal(value), status)


def history(**values: str | None) -> dict[int, Observation]:
    """history(y2015="4.8", y2017=None): None is an i.u (no_data) cell."""
    result = {}
    for key, value in values.items():
        year = int(key[1:])
        status = ValueStatus.NORMAL if value is not None else ValueStatus.NO_DATA
        result[year] = obs(str(year), value, status)
    return result


def target(kind: TargetKind, wording: str = "decided wording", **parameters: object) -> TargetSpec:
    converted = {
        name: Decimal(str(value)) if name in {"value", "baseline_value", "percent"} else value
        for name, value in parameters.items()
    }
    return TargetSpec(year=2018, kind=kind, wording=wording, **converted)  # type: ignore[arg-type]  # per kind


def run(
    spec: TargetSpec | None,
    value: str | None,
    *,
    polarity: Polarity = HIGHER,
    past: dict[int, Observation] | None = None,
    tolerance: ToleranceBand | None = None,
    assessment: Assessment | None = None,
    period: str = "2018",
) -> Evaluation:
    observation = None if value is None else obs(period, value)
    return evaluate(spec, polarity, observation, past or {}, tolerance, assessment)


# --- the customer's cases ---------------------------------------------------------------


def test_email_answered_within_two_days_81_against_value_80_is_met() -> None:
    result = run(target(TargetKind.VALUE, "80", value=80), "81", polarity=HIGHER)
    assert result.status is MET
    assert result.rule == "value_at_least"
    assert result.compared == {
        "outcome": "81",
        "outcome_period": "2018",
        "target": "80",
        "target_year": 2018,
    }
    assert "81" in result.reason and "80" in result.reason
    assert "band" not in result.reason  # none is set, none is mentioned


def test_staff_turnover_decrease_compares_with_latest_earlier_value_skipping_missing_year() -> None:
    past = history(y2015="4.8", y2016="7.9")  # no 2017 value
    result = run(target(TargetKind.DECREASE, "ska minska"), "7.0", polarity=LOWER, past=past)
    assert result.status is MET
    assert result.rule == "decrease_vs_latest_earlier"
    assert result.compared == {
        "outcome": "7",
        "outcome_period": "2018",
        "reference": "7.9",
        "reference_period": "2016",
    }
    assert "7.9 in 2016" in result.reason
    assert "latest earlier value" in result.reason
    assert "decreased as required" in result.reason


def test_staff_turnover_skips_an_iu_cell_for_2017() -> None:
    past = history(y2015="4.8", y2016="7.9", y2017=None)
    result = run(target(TargetKind.DECREASE), "7.0", polarity=LOWER, past=past)
    assert (result.status, result.compared["reference_period"]) == (MET, "2016")


def test_follow_only_with_a_value_is_never_coloured() -> None:
    result = run(target(TargetKind.FOLLOW_ONLY, "ufm"), "42.5")
    assert result.status is NA
    assert result.rule == "follow_only"
    assert "42.5 in 2018" in result.reason
    assert result.compared == {"outcome": "42.5", "outcome_period": "2018"}


def test_iu_observation_is_not_assessable_and_not_counted_as_met() -> None:
    iu = obs("2018", None, ValueStatus.NO_DATA)
    result = evaluate(target(TargetKind.VALUE, value=80), HIGHER, iu, {}, BAND)
    assert result.status is NA
    assert result.rule == "missing_value"
    assert "no_data" in result.reason
    assert result.compared["outcome"] is None

    rolled = roll_up([MET, result.status])
    assert rolled.counts[MET] == 1
    assert rolled.counts[NA] == 1
    assert rolled.assessable == 1
    assert rolled.share_met == Decimal("1.0000")


@pytest.mark.parametrize(
    "kind",
    [TargetKind.INCREASE_FROM_BASELINE_YEAR, TargetKind.DECREASE_FROM_BASELINE_YEAR],
)
@pytest.mark.parametrize("past", [history(y2016="50"), history(y2016="50", y2017=None)])
def test_baseline_year_2017_missing(kind: TargetKind, past: dict[int, Observation]) -> None:
    spec = target(kind, "Ska öka i förhållande till 2017 års personalbokslut", baseline_year=2017)
    result = run(spec, "55", past=past)
    assert result.status is NA
    assert result.rule == "baseline_missing"
    assert "2017" in result.reason and "arrive later" in result.reason
    assert result.compared["reference_period"] == "2017"


# --- value: polarity decides at least / at most -----------------------------------------


@pytest.mark.parametrize(
    ("polarity", "value", "status", "rule"),
    [
        (HIGHER, "80", MET, "value_at_least"),
        (HIGHER, "78.4", PARTLY, "value_at_least"),  # exactly target - band
        (HIGHER, "78.3", NOT_MET, "value_at_least"),
        (LOWER, "79", MET, "value_at_most"),
        (LOWER, "80", MET, "value_at_most"),
        (LOWER, "81.6", PARTLY, "value_at_most"),  # exactly target + band
        (LOWER, "81.7", NOT_MET, "value_at_most"),
    ],
)
def test_value_target_follows_polarity_with_a_band(
    polarity: Polarity, value: str, status: Fulfilment, rule: str
) -> None:
    result = run(target(TargetKind.VALUE, value=80), value, polarity=polarity, tolerance=BAND)
    assert (result.status, result.rule) == (status, rule)
    assert result.compared["band"] == "1.6"


@pytest.mark.parametrize(
    ("polarity", "value", "status", "rule"),
    [
        (HIGHER, "80", MET, "value_at_least"),
        (HIGHER, "79.99", NOT_MET, "value_at_least"),
        (HIGHER, "78.4", NOT_MET, "value_at_least"),
        (LOWER, "80", MET, "value_at_most"),
        (LOWER, "80.01", NOT_MET, "value_at_most"),
    ],
)
def test_value_target_follows_polarity_without_a_band(
    polarity: Polarity, value: str, status: Fulfilment, rule: str
) -> None:
    result = run(target(TargetKind.VALUE, value=80), value, polarity=polarity)
    assert (result.status, result.rule) == (status, rule)
    assert "band" not in result.compared


def test_lower_is_better_value_reason_states_the_rule() -> None:
    result = run(target(TargetKind.VALUE, value=120), "121", polarity=LOWER, tolerance=BAND)
    assert result.status is PARTLY
    assert result.reason == (
        "121 in 2018 misses the target of at most 120 for 2018 (value target, lower is better) "
        f"but is within {BAND_TEXT.format('2.4')}: partly met"
    )


def test_lower_is_better_value_reason_without_a_band() -> None:
    result = run(target(TargetKind.VALUE, value=120), "121", polarity=LOWER)
    assert result.reason == (
        "121 in 2018 misses the target of at most 120 for 2018 (value target, lower is better): "
        "not met"
    )


# --- fixed thresholds: polarity does not matter -----------------------------------------


@pytest.mark.parametrize("polarity", [HIGHER, LOWER])
@pytest.mark.parametrize(
    ("kind", "value", "status", "rule"),
    [
        (TargetKind.AT_LEAST, "83", MET, "at_least"),
        (TargetKind.AT_LEAST, "81.34", PARTLY, "at_least"),  # 83 - 1.66
        (TargetKind.AT_LEAST, "81.33", NOT_MET, "at_least"),
        (TargetKind.AT_MOST, "83", MET, "at_most"),
        (TargetKind.AT_MOST, "12", MET, "at_most"),
        (TargetKind.AT_MOST, "84.66", PARTLY, "at_most"),  # 83 + 1.66
        (TargetKind.AT_MOST, "84.67", NOT_MET, "at_most"),
    ],
)
def test_thresholds_ignore_polarity(
    polarity: Polarity, kind: TargetKind, value: str, status: Fulfilment, rule: str
) -> None:
    result = run(target(kind, "Minst 83 %", value=83), value, polarity=polarity, tolerance=BAND)
    assert (result.status, result.rule) == (status, rule)
    assert result.compared["band"] == "1.66"


def test_at_most_not_met_reason() -> None:
    result = run(target(TargetKind.AT_MOST, value=100), "110", tolerance=BAND)
    assert result.reason == (
        "110 in 2018 misses the target of at most 100 for 2018 (threshold target) "
        f"by more than {BAND_TEXT.format('2')}: not met"
    )
    result = run(target(TargetKind.AT_MOST, value=100), "110")
    assert result.reason == (
        "110 in 2018 misses the target of at most 100 for 2018 (threshold target): not met"
    )


# --- direction versus the latest earlier value ------------------------------------------

PAST = history(y2016="100", y2017="50")


@pytest.mark.parametrize("polarity", [HIGHER, LOWER])
@pytest.mark.parametrize(
    ("kind", "value", "status", "rule"),
    [
        (TargetKind.INCREASE, "51.01", MET, "increase_vs_latest_earlier"),
        (TargetKind.INCREASE, "51", PARTLY, "increase_vs_latest_earlier"),  # |diff| == band
        (TargetKind.INCREASE, "49", PARTLY, "increase_vs_latest_earlier"),
        (TargetKind.INCREASE, "48.99", NOT_MET, "increase_vs_latest_earlier"),
        (TargetKind.DECREASE, "48.99", MET, "decrease_vs_latest_earlier"),
        (TargetKind.DECREASE, "50", PARTLY, "decrease_vs_latest_earlier"),
        (TargetKind.DECREASE, "51.01", NOT_MET, "decrease_vs_latest_earlier"),
    ],
)
def test_direction_versus_latest_earlier_with_a_band(
    polarity: Polarity, kind: TargetKind, value: str, status: Fulfilment, rule: str
) -> None:
    result = run(target(kind), value, polarity=polarity, past=PAST, tolerance=BAND)
    assert (result.status, result.rule) == (status, rule)
    assert result.compared["reference"] == "50"
    assert result.compared["reference_period"] == "2017"


@pytest.mark.parametrize(
    ("kind", "value", "status"),
    [
        (TargetKind.INCREASE, "50.01", MET),
        (TargetKind.INCREASE, "50", NOT_MET),  # unchanged has not increased
        (TargetKind.INCREASE, "49.99", NOT_MET),
        (TargetKind.DECREASE, "49.99", MET),
        (TargetKind.DECREASE, "50", NOT_MET),
        (TargetKind.DECREASE, "50.01", NOT_MET),
    ],
)
def test_direction_versus_latest_earlier_without_a_band(
    kind: TargetKind, value: str, status: Fulfilment
) -> None:
    result = run(target(kind), value, past=PAST)
    assert result.status is status
    assert result.compared["reference"] == "50"


def test_unchanged_within_the_band_is_partly_met() -> None:
    result = run(target(TargetKind.INCREASE, "Ökat NKI-värde"), "50.5", past=PAST, tolerance=BAND)
    assert result.status is PARTLY
    assert "unchanged" in result.reason
    assert f"within {BAND_TEXT.format('1')}" in result.reason


def test_unchanged_without_a_band_is_not_met() -> None:
    result = run(target(TargetKind.INCREASE, "Ökat NKI-värde"), "50", past=PAST)
    assert result.status is NOT_MET
    assert result.reason == (
        "50 in 2018 equals 50 in 2017 (latest earlier value): unchanged although an increase "
        "is required, not met"
    )


def test_increase_not_met_reason_says_it_decreased() -> None:
    result = run(target(TargetKind.INCREASE), "40", past=PAST)
    assert result.status is NOT_MET
    assert "decreased although an increase is required" in result.reason


def test_tertial_outcome_compares_with_years_strictly_before_its_year() -> None:
    past = history(y2017="50", y2018="70")  # the 2018 annual value is not "earlier"
    result = run(target(TargetKind.INCREASE), "60", past=past, period="2018-T2")
    assert (result.status, result.compared["reference_period"]) == (MET, "2017")
    assert result.compared["outcome_period"] == "2018-T2"


@pytest.mark.parametrize("past", [{}, history(y2018="10"), history(y2017=None)])
def test_no_earlier_value(past: dict[int, Observation]) -> None:
    result = run(target(TargetKind.DECREASE), "7", past=past)
    assert (result.status, result.rule) == (NA, "no_earlier_value")


# --- direction versus a baseline year or a stated baseline value ------------------------


@pytest.mark.parametrize("polarity", [HIGHER, LOWER])
@pytest.mark.parametrize(
    ("kind", "value", "status", "rule"),
    [
        (TargetKind.INCREASE_FROM_BASELINE_YEAR, "30", MET, "increase_vs_baseline_year"),
        (TargetKind.INCREASE_FROM_BASELINE_YEAR, "20.4", PARTLY, "increase_vs_baseline_year"),
        (TargetKind.INCREASE_FROM_BASELINE_YEAR, "19", NOT_MET, "increase_vs_baseline_year"),
        (TargetKind.DECREASE_FROM_BASELINE_YEAR, "19", MET, "decrease_vs_baseline_year"),
        (TargetKind.DECREASE_FROM_BASELINE_YEAR, "19.6", PARTLY, "decrease_vs_baseline_year"),
        (TargetKind.DECREASE_FROM_BASELINE_YEAR, "21", NOT_MET, "decrease_vs_baseline_year"),
    ],
)
def test_direction_versus_baseline_year(
    polarity: Polarity, kind: TargetKind, value: str, status: Fulfilment, rule: str
) -> None:
    past = history(y2017="20", y2018="99")  # the baseline year, not the latest, is the reference
    spec = target(kind, baseline_year=2017)
    result = run(spec, value, polarity=polarity, past=past, tolerance=BAND)
    assert (result.status, result.rule) == (status, rule)
    assert result.compared["reference"] == "20"
    assert result.compared["reference_period"] == "2017"
    assert result.compared["band"] == "0.4"


@pytest.mark.parametrize(
    ("value", "status"), [("115", MET), ("111", PARTLY), ("113.22", PARTLY), ("108", NOT_MET)]
)
def test_increase_versus_stated_baseline_value_111_with_a_band(
    value: str, status: Fulfilment
) -> None:
    spec = target(
        TargetKind.INCREASE_FROM_BASELINE_VALUE,
        "Ska öka i förhållande till 2016 års värde som uppgår till 111 poäng",
        baseline_value=Decimal("1.11E+2"),
        baseline_year=2016,
    )
    # the stated value wins over history
    result = run(spec, value, past=history(y2016="1"), tolerance=BAND)
    assert (result.status, result.rule) == (status, "increase_vs_baseline_value")
    assert result.compared["reference"] == "111"
    assert result.compared["reference_period"] == "2016"
    assert result.compared["band"] == "2.22"
    assert "111 in 2016 (stated baseline value)" in result.reason


# --- relative increase of at least N % --------------------------------------------------

RELATIVE = target(
    TargetKind.RELATIVE_INCREASE_AT_LEAST,
    "ska öka med minst 10 % jämfört med 2016",
    percent=10,
    baseline_year=2016,
)


@pytest.mark.parametrize("polarity", [HIGHER, LOWER])
@pytest.mark.parametrize(
    ("value", "status"),
    [("220", MET), ("221", MET), ("215.6", PARTLY), ("219.99", PARTLY), ("215.59", NOT_MET)],
)
def test_relative_increase_10_percent_versus_2016(
    polarity: Polarity, value: str, status: Fulfilment
) -> None:
    past = history(y2016="200", y2017="500")
    result = run(RELATIVE, value, polarity=polarity, past=past, tolerance=BAND)
    assert (result.status, result.rule) == (status, "relative_increase_at_least")
    assert result.compared == {
        "outcome": plain(Decimal(value)),
        "outcome_period": "2018",
        "base": "200",
        "base_period": "2016",
        "percent": "10",
        "required": "220",
        "band": "4.4",
        **BAND_FIELDS,
    }


def test_relative_increase_reason_names_base_and_required() -> None:
    result = run(RELATIVE, "216", past=history(y2016="200"), tolerance=BAND)
    assert result.reason == (
        "216 in 2018 is below the required 220 (at least 10 % above 200 in 2016) "
        f"but within {BAND_TEXT.format('4.4')}: partly met"
    )
    result = run(RELATIVE, "216", past=history(y2016="200"))
    assert result.reason == (
        "216 in 2018 is below the required 220 (at least 10 % above 200 in 2016): not met"
    )


def test_relative_increase_without_2016_value_is_baseline_missing() -> None:
    result = run(RELATIVE, "300", past=history(y2017="200"))
    assert (result.status, result.rule) == (NA, "baseline_missing")


# --- count of events --------------------------------------------------------------------


@pytest.mark.parametrize("polarity", [HIGHER, LOWER])
@pytest.mark.parametrize(("value", "status"), [("0", NOT_MET), ("1", MET), ("3", MET)])
def test_event_count_at_least_one(polarity: Polarity, value: str, status: Fulfilment) -> None:
    spec = target(
        TargetKind.EVENT_COUNT_AT_LEAST,
        "Användbarhetstest ska utnyttjas vid minst ett tillfälle",
        count=1,
    )
    result = run(spec, value, polarity=polarity, tolerance=band("50"))  # a count has no band
    assert (result.status, result.rule) == (status, "event_count_at_least")
    assert result.compared == {"outcome": value, "outcome_period": "2018", "count": 1}


# --- milestones -------------------------------------------------------------------------

MILESTONE = target(TargetKind.MILESTONE, "De första systemen börjar övergå till e-tjänster")


@pytest.mark.parametrize("status", [MET, PARTLY, NOT_MET])
def test_milestone_takes_the_persons_assessment(status: Fulfilment) -> None:
    assessment = Assessment(status, "Two of three systems moved in May.", "Anna Andersson")
    result = run(MILESTONE, None, assessment=assessment)
    assert (result.status, result.rule) == (status, "milestone_assessed")
    assert "Two of three systems moved in May." in result.reason
    assert "Anna Andersson" in result.reason
    assert result.compared["assessed_by"] == "Anna Andersson"


def test_milestone_without_assessment_awaits_one() -> None:
    result = run(MILESTONE, "3")
    assert (result.status, result.rule) == (NA, "milestone_awaiting_assessment")


# --- not assessable before any comparison -----------------------------------------------


@pytest.mark.parametrize("spec", [None, target(TargetKind.NONE)])
@pytest.mark.parametrize("value", [None, "5"])
def test_no_target(spec: TargetSpec | None, value: str | None) -> None:
    result = run(spec, value)
    assert (result.status, result.rule) == (NA, "no_target")


def test_follow_only_without_a_value() -> None:
    result = run(target(TargetKind.FOLLOW_ONLY), None)
    assert (result.status, result.rule) == (NA, "follow_only")


def test_no_outcome() -> None:
    result = run(target(TargetKind.VALUE, value=80), None)
    assert (result.status, result.rule) == (NA, "no_outcome")


@pytest.mark.parametrize(
    "status",
    [
        ValueStatus.NO_DATA,
        ValueStatus.SUPPRESSED,
        ValueStatus.CANNOT_EXIST,
        ValueStatus.NOT_COLLECTED,
    ],
)
def test_missing_value_statuses_are_never_zero(status: ValueStatus) -> None:
    observation = obs("2018-T2", None, status)
    result = evaluate(target(TargetKind.AT_MOST, value=0), LOWER, observation, {}, None)
    assert (result.status, result.rule) == (NA, "missing_value")
    assert status.value in result.reason


@pytest.mark.parametrize("status", [ValueStatus.PROVISIONAL, ValueStatus.ESTIMATED])
def test_provisional_and_estimated_values_are_evaluated(status: ValueStatus) -> None:
    observation = obs("2018", "81", status)
    result = evaluate(target(TargetKind.VALUE, value=80), HIGHER, observation, {}, None)
    assert result.status is MET


def test_target_lacking_its_parameter_is_not_assessable() -> None:
    result = run(target(TargetKind.AT_LEAST), "5")
    assert (result.status, result.rule) == (NA, "target_incomplete")
    assert "value" in result.reason


def test_negative_tolerance_is_refused() -> None:
    with pytest.raises(ValueError, match="tolerance_percent"):
        band("-1")


@pytest.mark.parametrize("source", ["", "   "])
def test_a_band_without_its_source_is_refused(source: str) -> None:
    with pytest.raises(ValueError, match="source"):
        ToleranceBand(TWO, source, BandOwner.REGISTER)


# --- exactness and formatting -----------------------------------------------------------


def test_comparisons_are_exact_decimals() -> None:
    # 0.1 + 0.2 != 0.3 in float; without a band an exact 0.3 meets an at-least 0.3.
    result = run(target(TargetKind.AT_LEAST, value="0.3"), "0.3")
    assert result.status is MET
    result = run(target(TargetKind.AT_LEAST, value="0.3"), "0.2999999")
    assert result.status is NOT_MET


def test_band_is_shown_with_at_most_six_decimals() -> None:
    result = run(target(TargetKind.VALUE, value="1.234567"), "2", tolerance=band("3.3"))
    assert result.compared["band"] == "0.040741"  # 0.0407407110 rounded
    assert result.compared["target"] == "1.234567"


@pytest.mark.parametrize(
    ("number", "text"),
    [
        ("7.90000", "7.9"),
        ("1.11E+2", "111"),
        ("100", "100"),
        ("-0.0", "0"),
        ("0.000001", "0.000001"),
    ],
)
def test_plain_decimal_strings(number: str, text: str) -> None:
    assert plain(Decimal(number)) == text


def test_evaluation_is_frozen() -> None:
    result = run(None, None)
    with pytest.raises(FrozenInstanceError):
        result.status = MET  # type: ignore[misc]  # the refused write is the test


# --- roll-up ----------------------------------------------------------------------------


def test_roll_up_share_excludes_not_assessable() -> None:
    rolled = roll_up([MET, MET, NOT_MET, NA])
    assert rolled.counts == {MET: 2, PARTLY: 0, NOT_MET: 1, NA: 1}
    assert (rolled.total, rolled.assessable) == (4, 3)
    assert rolled.share_met == Decimal("0.6667")


@pytest.mark.parametrize("statuses", [[], [NA, NA]])
def test_roll_up_without_assessable_has_no_share(statuses: list[Fulfilment]) -> None:
    rolled = roll_up(statuses)
    assert rolled.share_met is None
    assert rolled.assessable == 0
    assert set(rolled.counts) == set(Fulfilment)


def test_roll_up_counts_partly_met_as_assessable_but_not_met() -> None:
    rolled = roll_up(iter([PARTLY, MET, PARTLY]))
    assert rolled.share_met == Decimal("0.3333")
    assert roll_up([MET]).share_met == Decimal("1.0000")
    assert roll_up([MET, NOT_MET, NOT_MET]).share_met == Decimal("0.3333")
    assert roll_up([MET, MET, NOT_MET]).share_met == Decimal("0.6667")


# --- exactly as worded: equal, just above, just below, for every kind -------------------
# Each case: the target, its history, and the outcomes equal to / just above / just below the
# reference, with the status without a band and with the register's 2 % band. Reaching a
# level ("minst 80", "80") meets it; an unchanged value has not increased or decreased.

CO2 = target(TargetKind.DECREASE_FROM_BASELINE_YEAR, "Lägre utsläpp per km jämfört med 2017")
EDGES: dict[str, tuple[TargetSpec, Polarity, dict[int, Observation], list[tuple[str, ...]]]] = {
    "value, higher is better": (
        target(TargetKind.VALUE, "80", value=80),
        HIGHER,
        {},
        [("80", MET, MET), ("80.01", MET, MET), ("79.99", NOT_MET, PARTLY)],
    ),
    "value, lower is better": (
        target(TargetKind.VALUE, "120", value=120),
        LOWER,
        {},
        [("120", MET, MET), ("120.01", NOT_MET, PARTLY), ("119.99", MET, MET)],
    ),
    "at least (minst 80)": (
        target(TargetKind.AT_LEAST, "Minst 80 %", value=80),
        LOWER,  # the kind, not the polarity, decides
        {},
        [("80", MET, MET), ("80.01", MET, MET), ("79.99", NOT_MET, PARTLY)],
    ),
    "at most": (
        target(TargetKind.AT_MOST, "högst 80", value=80),
        HIGHER,
        {},
        [("80", MET, MET), ("80.01", NOT_MET, PARTLY), ("79.99", MET, MET)],
    ),
    "increase (ska öka)": (
        target(TargetKind.INCREASE, "ska öka"),
        HIGHER,
        history(y2016="10", y2017="50"),
        [("50", NOT_MET, PARTLY), ("50.01", MET, PARTLY), ("49.99", NOT_MET, PARTLY)],
    ),
    "decrease (ska minska)": (
        target(TargetKind.DECREASE, "ska minska"),
        LOWER,
        history(y2017="50"),
        [("50", NOT_MET, PARTLY), ("50.01", NOT_MET, PARTLY), ("49.99", MET, PARTLY)],
    ),
    "increase from a baseline year": (
        target(TargetKind.INCREASE_FROM_BASELINE_YEAR, baseline_year=2017),
        HIGHER,
        history(y2017="120"),
        [("120", NOT_MET, PARTLY), ("120.01", MET, PARTLY), ("119.99", NOT_MET, PARTLY)],
    ),
    "decrease from a baseline year (lägre än 2017)": (
        target(CO2.kind, CO2.wording, baseline_year=2017),
        LOWER,
        history(y2017="120"),
        [("120", NOT_MET, PARTLY), ("120.01", NOT_MET, PARTLY), ("119.99", MET, PARTLY)],
    ),
    "increase from a stated baseline value (111 poäng)": (
        target(TargetKind.INCREASE_FROM_BASELINE_VALUE, baseline_value=111, baseline_year=2016),
        HIGHER,
        {},
        [("111", NOT_MET, PARTLY), ("111.01", MET, PARTLY), ("110.99", NOT_MET, PARTLY)],
    ),
    "relative increase of at least 10 %": (
        RELATIVE,
        HIGHER,
        history(y2016="200"),
        [("220", MET, MET), ("220.01", MET, MET), ("219.99", NOT_MET, PARTLY)],
    ),
    "event count of at least one": (
        target(TargetKind.EVENT_COUNT_AT_LEAST, count=1),
        HIGHER,
        {},
        [("1", MET, MET), ("2", MET, MET), ("0", NOT_MET, NOT_MET)],
    ),
}
EDGE_CASES = [
    pytest.param(name, side, *case, id=f"{name}: {side}")
    for name, (_, _, _, cases) in EDGES.items()
    for side, case in zip(("equal", "just above", "just below"), cases, strict=True)
]


@pytest.mark.parametrize(("name", "side", "value", "without", "with_band"), EDGE_CASES)
def test_edges_without_a_band_are_exactly_as_worded(
    name: str, side: str, value: str, without: Fulfilment, with_band: Fulfilment
) -> None:
    spec, polarity, past, _ = EDGES[name]
    result = run(spec, value, polarity=polarity, past=past)
    assert result.status is without
    assert result.status is not PARTLY
    assert not {"band", "tolerance_percent", "tolerance_source"} & set(result.compared)
    assert "band" not in result.reason


@pytest.mark.parametrize(("name", "side", "value", "without", "with_band"), EDGE_CASES)
@pytest.mark.parametrize("owner", list(BandOwner))
def test_edges_with_a_set_band(
    name: str,
    side: str,
    value: str,
    without: Fulfilment,
    with_band: Fulfilment,
    owner: BandOwner,
) -> None:
    spec, polarity, past, _ = EDGES[name]
    result = run(spec, value, polarity=polarity, past=past, tolerance=band("2", owner))
    assert result.status is with_band
    if spec.kind is TargetKind.EVENT_COUNT_AT_LEAST:
        assert "band" not in result.compared  # a count of events has no band
        return
    assert result.compared["tolerance_of"] == owner.value
    assert result.compared["tolerance_source"] == SOURCE
    if result.status is not MET:  # the band decided: the reason names it and its source
        assert f"the {owner.value}'s 2 % band" in result.reason
        assert f"source: {SOURCE!r}" in result.reason


# --- which band applies ---------------------------------------------------------------


def test_the_indicators_band_wins_over_the_registers() -> None:
    chosen = applicable_band(Decimal(5), "Indikatorbeslut", TWO, SOURCE)
    assert chosen == ToleranceBand(Decimal(5), "Indikatorbeslut", BandOwner.INDICATOR)


def test_the_registers_band_applies_when_the_indicator_has_none() -> None:
    assert applicable_band(None, None, TWO, SOURCE) == BAND


@pytest.mark.parametrize(
    "settings",
    [
        (None, None, None, None),
        (TWO, None, None, None),  # a percent nobody can trace was never decided
        (None, None, TWO, None),
        (TWO, "", TWO, ""),
    ],
)
def test_no_band_unless_one_is_set_with_its_source(
    settings: tuple[Decimal | None, str | None, Decimal | None, str | None],
) -> None:
    assert applicable_band(*settings) is None
