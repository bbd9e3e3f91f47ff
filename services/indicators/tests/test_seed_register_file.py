"""The bundled data file 0580-KS.json against the printed KS indicator register (budget
proposal 2018-2021), without a database or HTTP: the file is a valid RegisterIn, and values,
targets and links typed directly from the printed text are found in it."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import cache
from pathlib import Path

import indicator_service
from indicator_service.schemas import IndicatorIn, OutcomeIn, RegisterIn, TargetIn
from indicator_service.vocabulary import Polarity, SourceKind, TargetKind, ValueStatus

DATA_FILE = Path(indicator_service.__file__).parent / "seed_data" / "0580-KS.json"

NOT_1 = "Uppgifter tas fram från och med 2018"
NOT_2 = (
    "Regeringens mål i bredbandsstrategin. "
    "Kräver kraftfulla statliga finansiella insatser för att uppnås"
)
PLAN_YEARS = [2018, 2019, 2020, 2021]
TARGET_YEARS = [2017, *PLAN_YEARS]


@cache
def register() -> RegisterIn:
    return RegisterIn.model_validate(json.loads(DATA_FILE.read_text(encoding="utf-8")))


def indicator(name: str) -> IndicatorIn:
    found = [i for i in register().indicators if i.name == name]
    assert len(found) == 1, f"{name!r} found {len(found)} times"
    return found[0]


def targets(name: str) -> dict[int, TargetIn]:
    by_year = {t.year: t for t in indicator(name).targets}
    assert len(by_year) == len(indicator(name).targets), "one target per year"
    return by_year


def outcomes(name: str) -> dict[str, OutcomeIn]:
    return {o.period: o for o in indicator(name).outcomes}


def values(name: str) -> dict[int, Decimal | None]:
    return {year: t.value for year, t in targets(name).items()}


def outcome_values(name: str) -> dict[str, Decimal | None]:
    return {period: o.value for period, o in outcomes(name).items()}


# ---- the file as a whole ------------------------------------------------------------------


def test_file_validates_as_register() -> None:
    reg = register()
    assert reg.municipality_code == "0580"
    assert reg.board_code == "KS"
    assert reg.name == "Kommunstyrelsens indikatorer och måltal 2018-2021"
    assert (reg.first_year, reg.last_year) == (2015, 2021)
    # The document states no tolerance band, so the file sets none (not even a default).
    assert (reg.default_tolerance_percent, reg.default_tolerance_source) == (None, None)
    assert all(i.tolerance_percent is None and i.tolerance_source is None for i in reg.indicators)
    assert reg.reason == "Inläsning av KS indikatorer ur budgetförslag 2018-2021 (seed)"


def test_file_is_utf8_with_readable_swedish() -> None:
    text = DATA_FILE.read_text(encoding="utf-8")
    assert "Personalomsättning" in text
    assert "\\u00e4" not in text


def test_number_of_indicators() -> None:
    # 21 table rows (Personal 5, Inköp 2, Lokaler 1 + 4, IT 3, Kommunal service 3,
    # Etablering 2, Lägenheter 1) and 20 focus-area indicators (5 + 4 + 11).
    assert (
        len(register().indicators) == 42
    )  # 41 table and focus-area rows + the requirement count of the assignment


def test_codes_are_unique_ascii_slugs() -> None:
    codes = [i.code for i in register().indicators]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?", code), code
    assert "personalomsattning" in codes


def test_outcomes_come_from_the_seed() -> None:
    for ind in register().indicators:
        for outcome in ind.outcomes:
            assert outcome.source == "seed"
            assert outcome.period in {"2015", "2016"}


# ---- council goals and focus areas --------------------------------------------------------


def test_eleven_council_goals_goal_three_not_linked() -> None:
    goals = {g.number: g for g in register().council_goals}
    assert sorted(goals) == list(range(1, 12))
    assert not goals[3].board_linked
    assert all(goals[n].board_linked for n in range(1, 12) if n != 3)
    assert goals[3].title == "En kommun med höga kunskapsambitioner och trygga uppväxtvillkor"
    assert goals[9].title == "En kommun med bra arbetsvillkor"


def test_goal_eleven_title_joined_over_the_line_break() -> None:
    goals = {g.number: g for g in register().council_goals}
    assert goals[11].title == (
        "En kommun som är en stark röst regionalt, nationellt och internationellt"
    )


def test_focus_areas_link_goals_nine_and_five() -> None:
    areas = {a.code: a for a in register().focus_areas}
    assert areas["kompetensforsorjning"].council_goals == [9]
    assert areas["kompetensforsorjning"].name == "Kompetensförsörjning"
    assert areas["hallbarhet-och-koldioxidneutralitet"].council_goals == [5]
    assert areas["service-tillganglighet-och-delaktighet"].council_goals == []
    assert areas["hallbarhet-och-koldioxidneutralitet"].description == (
        "Kommunens klimatarbete ska styras av målet om koldioxidneutralitet år 2025"
    )


# ---- Personal (inkl.Leanlink) -------------------------------------------------------------


def test_personalomsattning_outcomes_and_decrease_targets() -> None:
    ind = indicator("Personalomsättning")
    assert ind.group == "Personal (inkl.Leanlink)"
    assert ind.polarity is Polarity.LOWER_IS_BETTER
    assert ind.council_goals == [9]
    assert outcome_values("Personalomsättning") == {"2015": Decimal("4.8"), "2016": Decimal("7.9")}
    by_year = targets("Personalomsättning")
    assert sorted(by_year) == TARGET_YEARS
    assert all(t.kind is TargetKind.DECREASE for t in by_year.values())
    assert all(t.wording == "ska minska" for t in by_year.values())


def test_total_sjukfranvaro() -> None:
    assert outcome_values("Total sjukfrånvaro") == {"2015": Decimal("5.7"), "2016": Decimal("6.9")}
    assert indicator("Total sjukfrånvaro").polarity is Polarity.LOWER_IS_BETTER


def test_korttidsfranvaro_and_sick_pay_share() -> None:
    assert outcome_values("Korttidsfrånvaro") == {"2015": Decimal("2.4"), "2016": Decimal("2.6")}
    name = "Sjuklönekostnad som andel av total lönekostnad"
    assert outcome_values(name) == {"2015": Decimal("1.3"), "2016": Decimal("1.4")}
    assert targets(name)[2021].kind is TargetKind.DECREASE


def test_vakanta_tjanster() -> None:
    name = "Antal vakanta tjänster medel per vecka"
    assert outcome_values(name) == {"2015": Decimal(129), "2016": Decimal(162)}
    assert indicator(name).unit == "antal"
    assert indicator(name).polarity is Polarity.LOWER_IS_BETTER


# ---- Inköp och upphandling ----------------------------------------------------------------


def test_sme_row_iu_and_not_1() -> None:
    name = "Andel små och medelstora (SME)"
    ind = indicator(name)
    assert ind.source_kind is SourceKind.SERVICE
    assert ind.source_ref == "procurement"
    assert ind.update_frequency == "tertial"
    for period in ("2015", "2016"):
        o = outcomes(name)[period]
        assert (o.status, o.value, o.notation) == (ValueStatus.NO_DATA, None, "i.u")
    by_year = targets(name)
    assert (by_year[2017].kind, by_year[2017].wording) == (TargetKind.NONE, "i.u")
    for year in PLAN_YEARS:
        assert by_year[year].kind is TargetKind.NONE
        assert by_year[year].wording == "Not. 1"
        assert by_year[year].footnote == NOT_1


def test_bidders_per_procurement_is_delivered_by_procurement() -> None:
    ind = indicator("Antal anbudsgivare per upphandling")
    assert (ind.source_kind, ind.source_ref) == (SourceKind.SERVICE, "procurement")
    assert targets("Antal anbudsgivare per upphandling")[2019].wording == "Not. 1"


# ---- Lokaler ------------------------------------------------------------------------------


def test_rent_sub_rows_without_values() -> None:
    for sub in ("Förskola och skola", "Vårdbostäder", "Gruppbostäder", "Idrottshallar"):
        ind = indicator(f"Hyra per kvm i nyproduktion, verksamhetslokaler – {sub}")
        assert ind.unit == "kr/kvm"
        assert ind.polarity is Polarity.LOWER_IS_BETTER
        assert ind.targets == [] and ind.outcomes == []
    area = indicator("Yta per plats, administrativa lokaler")
    assert (area.unit, area.targets, area.outcomes) == ("kvm/plats", [], [])


# ---- IT/Digitalisering --------------------------------------------------------------------


def test_bredband() -> None:
    name = "Andel med tillgång till bredband om minst 100 Mbit/s."
    assert outcome_values(name) == {"2015": Decimal("83.59"), "2016": Decimal("85.11")}
    by_year = targets(name)
    for year in (2017, 2018, 2019):
        assert (by_year[year].kind, by_year[year].wording) == (TargetKind.FOLLOW_ONLY, "ufm")
    for year in (2020, 2021):
        assert by_year[year].kind is TargetKind.AT_LEAST
        assert by_year[year].value == Decimal(95)
        assert by_year[year].wording == "95"
        assert by_year[year].footnote == NOT_2


def test_wifi_access_points() -> None:
    name = "Linköping WiFi, antal accesspunkter"
    o = outcomes(name)
    assert (o["2015"].status, o["2015"].value, o["2015"].notation) == (
        ValueStatus.NOT_COLLECTED,
        None,
        "-",
    )
    assert o["2016"].value == Decimal(50)
    assert values(name) == {2017: 50, 2018: 70, 2019: 70, 2020: 100, 2021: 100}
    assert all(t.kind is TargetKind.VALUE for t in targets(name).values())


def test_pm3_iu_in_2016() -> None:
    name = (
        "Andel etablerade förvaltningsobjekt (portföljer) enligt systemförvaltningsmodell Pm3 (%)"
    )
    o = outcomes(name)["2016"]
    assert o.status is ValueStatus.NO_DATA
    assert o.value is None
    assert o.notation == "i.u"
    assert outcomes(name)["2015"].notation == "-"
    by_year = targets(name)
    assert [by_year[y].wording for y in TARGET_YEARS] == ["ufm", "ufm", "100", "100", "100"]
    assert by_year[2018].kind is TargetKind.FOLLOW_ONLY


# ---- Kommunal service ---------------------------------------------------------------------


def test_email_answered_within_two_days() -> None:
    name = "Tillgänglighet, e-post"
    assert indicator(name).definition == "Andel som får svar på e-post inom två dagar, (%)"
    assert outcome_values(name) == {"2015": None, "2016": Decimal(68)}
    assert values(name) == {2017: 74, 2018: 80, 2019: 86, 2020: 88, 2021: 90}
    assert targets(name)[2017].wording == "74"


def test_telephony_direct_answer() -> None:
    name = "Tillgänglighet, telefoni"
    assert outcomes(name)["2016"].value == Decimal(44)
    assert outcomes(name)["2015"].status is ValueStatus.NOT_COLLECTED
    assert values(name) == {2017: 50, 2018: 60, 2019: 70, 2020: 70, 2021: 70}


def test_nki_naringslivsklimat() -> None:
    name = "Löpande insikt, Näringslivsklimat, SKL"
    assert indicator(name).unit == "index"
    for period in ("2015", "2016"):
        o = outcomes(name)[period]
        assert (o.status, o.notation) == (ValueStatus.NOT_COLLECTED, "Deltog ej i mätningen")
    by_year = targets(name)
    assert (by_year[2017].kind, by_year[2017].wording) == (
        TargetKind.NONE,
        "Statistik ej publicerad",
    )
    assert by_year[2018].wording == "Ökat NKi-värde"
    for year in (2019, 2020, 2021):
        assert by_year[year].wording == "Ökat NKI-värde"
    assert all(by_year[y].kind is TargetKind.INCREASE for y in PLAN_YEARS)


# ---- Etablering and Lägenheter ------------------------------------------------------------


def test_etablering_day_one() -> None:
    name = "Andel i arbete eller reguljär utbildning, dag 1 efter avslutad etableringsplan (%)"
    assert outcome_values(name) == {"2015": Decimal(19), "2016": Decimal(18)}
    assert values(name) == {2017: 20, 2018: 30, 2019: 30, 2020: 30, 2021: 30}


def test_etablering_ninety_days() -> None:
    name = "Andel i arbete eller reguljär utbildning, 90 dagar efter avslutad etableringsplan (%)"
    assert outcome_values(name) == {"2015": Decimal(27), "2016": Decimal(29)}
    assert values(name) == {2017: 30, 2018: 40, 2019: 40, 2020: 50, 2021: 50}


def test_lagenheter_i_oversiktsplan() -> None:
    name = "Antal lägenheter i gällande översiktsplan"
    assert indicator(name).group == "Lägenheter kopplat till ÖP"
    assert outcome_values(name) == {"2015": Decimal(40000), "2016": Decimal(40000)}
    assert values(name) == {2017: 40000, 2018: 50000, 2019: 50000, 2020: 50000, 2021: 50000}
    assert targets(name)[2017].wording == "40 000"


# ---- focus-area indicators ----------------------------------------------------------------


def test_avi_baseline_111_from_2016() -> None:
    name = "Linköpings kommuns Attraktiv Arbetsgivarindex (AVI)."
    ind = indicator(name)
    assert ind.unit == "poäng"
    assert ind.focus_areas == ["kompetensforsorjning"]
    assert ind.council_goals == [9]
    by_year = targets(name)
    assert sorted(by_year) == PLAN_YEARS
    for t in by_year.values():
        assert t.kind is TargetKind.INCREASE_FROM_BASELINE_VALUE
        assert (t.baseline_value, t.baseline_year) == (Decimal(111), 2016)
    assert outcome_values(name) == {"2016": Decimal(111)}


def test_personnel_report_baseline_2017() -> None:
    for name in ("Kvinnor i chefsbefattning", "Heltidsanställning", "Tjänstgöringsgrad"):
        t = targets(name)[2019]
        assert t.kind is TargetKind.INCREASE_FROM_BASELINE_YEAR
        assert t.baseline_year == 2017
        assert t.wording == "Ska öka i förhållande till 2017 års personalbokslut"


def test_car_pool_emissions() -> None:
    name = "Utsläpp av gram CO2 per km av kommunens bilpool"
    ind = indicator(name)
    assert (ind.unit, ind.polarity) == ("g CO2/km", Polarity.LOWER_IS_BETTER)
    assert ind.council_goals == [5]
    t = targets(name)[2018]
    assert t.kind is TargetKind.DECREASE_FROM_BASELINE_YEAR
    assert t.baseline_year == 2017


def test_e_meetings_split_in_two() -> None:
    for name in ("Användare av E-möten", "Antal genomförda E-möten"):
        t = targets(name)[2021]
        assert (t.kind, t.baseline_year) == (TargetKind.INCREASE_FROM_BASELINE_YEAR, 2017)
        assert t.wording == "Ska öka jämfört med 2017"


def test_skl_search_at_least_83_percent() -> None:
    name = "Deltagande i SKL:s webbplatsundersökning – sökfunktion"
    t = targets(name)[2018]
    assert (t.kind, t.value) == (TargetKind.AT_LEAST, Decimal(83))
    assert t.wording == "Sökfunktion minst 83 % av maxpoäng"
    assert indicator(name).focus_areas == ["service-tillganglighet-och-delaktighet"]
    assert indicator(name).council_goals == []
    other = targets("Deltagande i SKL:s webbplatsundersökning – självgranskning")[2018]
    assert other.value == Decimal(90)


def test_usability_test_once_in_2017() -> None:
    by_year = targets("Tester med användare för webbutveckling")
    assert sorted(by_year) == [2017]
    assert by_year[2017].kind is TargetKind.EVENT_COUNT_AT_LEAST
    assert by_year[2017].count == 1


def test_views_increase_at_least_ten_percent_from_2016() -> None:
    for name in (
        "Antal visningar av kommunfullmäktiges sammanträden i Linköping play",
        "Antal visningar av kommunfullmäktiges livesändningar på Facebook",
    ):
        t = targets(name)[2020]
        assert t.kind is TargetKind.RELATIVE_INCREASE_AT_LEAST
        assert (t.percent, t.baseline_year) == (Decimal(10), 2016)


def test_attitude_survey_targets() -> None:
    by_measure = {
        "attraktiv kommun att bo i": 80,
        "kännedom om devisen": 85,
        "devisen ger en bra bild av Linköping": 50,
    }
    for measure, at_least in by_measure.items():
        t = targets(f"Resultat av attitydundersökning – {measure}")[2018]
        assert (t.kind, t.value) == (TargetKind.AT_LEAST, Decimal(at_least))
    first = targets("Resultat av attitydundersökning – attraktiv kommun att bo i")[2021]
    assert first.wording == (
        "Minst 80 % av kommuninvånarna tycker att Linköping är en attraktiv kommun att bo i."
    )


def test_e_archive_milestones() -> None:
    t = targets("Införande av e-arkiv")[2018]
    assert t.kind is TargetKind.MILESTONE
    assert t.wording.startswith("De första verksamheterna börjar se effekterna")
