"""The bundled data file 0580-KS-2018.json against the printed KS budget 2018-2021, without a
database or HTTP: the file is valid request content, and figures typed directly from the printed
tables (Ekonomi, Investeringar) are found in it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import budget_service
from budget_service.schemas import VersionContentIn

DATA_FILE = Path(budget_service.__file__).parent / "seed_data" / "0580-KS-2018.json"
YEARS = ["2018", "2019", "2020", "2021"]
OMV = "Omvandling av markeringsbeslut till ordinarie"


@pytest.fixture(autouse=True)
def clean_tables() -> None:
    """Overrides conftest's autouse fixture of the same name: these tests need no database."""


def y(*values: int) -> dict[str, int]:
    return dict(zip(YEARS, values, strict=True))


def load() -> dict[str, Any]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def content() -> dict[str, Any]:
    return load()["content"]


def areas() -> dict[str, dict[str, Any]]:
    return {a["name"]: a for a in content()["activity_areas"]}


def directive_lines() -> dict[str, dict[str, Any]]:
    return {line["text"]: line for line in content()["directive_lines"]}


def lines_of(area_name: str) -> list[dict[str, Any]]:
    return areas()[area_name]["change_lines"]


# ---- (a) the file is a valid data file -----------------------------------------------------


def test_content_validates_as_version_content() -> None:
    parsed = VersionContentIn.model_validate(content())
    assert parsed.reason == "Inläsning av KS budgetförslag 2018-2021 (seed)"
    assert parsed.control_totals is not None


def test_header_names_the_budget() -> None:
    data = load()
    assert data["municipality"] == {"code": "0580", "name": "Linköping"}
    assert data["board"] == {"code": "KS", "name": "Kommunstyrelsen"}
    assert data["budget"] == {
        "budget_year": 2018,
        "plan_year_count": 3,
        "title": "Budgetförslag 2018 med plan för 2019-2021",
    }
    assert data["version"] == {"phase": "board_proposal"}
    assert data["source"].strip()


def test_every_amount_map_has_exactly_the_four_years() -> None:
    c = content()
    maps: list[dict[str, int]] = [line["amounts"] for line in c["directive_lines"]]
    for area in c["activity_areas"]:
        if area["base_amounts"] is not None:
            maps.append(area["base_amounts"])
        maps.extend(line["amounts"] for line in area["change_lines"])
    for item in c["investments"]["items"]:
        maps.extend([item["expenditure"], item["income"]])
    maps.append(c["investments"]["frame"])
    maps.extend(c["control_totals"].values())
    for amounts in maps:
        assert list(amounts) == YEARS
        assert all(type(v) is int for v in amounts.values())


def test_area_codes_are_slugs_of_the_names() -> None:
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o"})
    for area in content()["activity_areas"]:
        slug = re.sub(r"[^a-z0-9]+", "-", area["name"].lower().translate(table)).strip("-")
        assert area["code"] == slug


# ---- (b) spot checks typed from the printed tables -------------------------------------------


def test_spot_directive_base_frame_and_reference() -> None:
    base = directive_lines()["Budgetram enligt budget 2016-2017 med plan för 2018-2019"]
    assert base["kind"] == "earlier_decided_frame"
    assert base["decision_reference"] == "KF 2015-11-24"
    assert base["amounts"] == y(329842, 329824, 329824, 329824)


def test_spot_directive_indexation_and_adjustment() -> None:
    lines = directive_lines()
    assert lines["Uppräkning för pris- och löneökningar"]["amounts"] == y(7644, 7580, 7580, 7580)
    assert lines["Övriga tekniska justeringar"]["amounts"] == y(-1477, -1477, -1477, -1477)


def test_spot_directive_resource_funds_and_addition() -> None:
    lines = directive_lines()
    varudistribution = lines["Resursmedel, samordnad varudistribution"]
    assert (varudistribution["kind"], varudistribution["amounts"]) == (
        "resource_funds",
        y(5000, 5000, 0, 0),
    )
    aerospace = lines["Tillägg Aerospace Forum"]
    assert (aerospace["kind"], aerospace["amounts"]) == ("addition", y(3000, 0, 0, 0))


def test_spot_kommunovergripande_base() -> None:
    assert areas()["Kommunövergripande"]["base_amounts"] == y(37805, 37723, 37723, 37723)


def test_spot_personal_base() -> None:
    assert areas()["Personal"]["base_amounts"] == y(40228, 40228, 40228, 40228)


def test_spot_personal_reallocations() -> None:
    reallocations = [
        (line["text"], line["counterparty"], line["amounts"]["2018"], line["amounts"]["2021"])
        for line in lines_of("Personal")
        if line["kind"] == "reallocation"
    ]
    assert reallocations == [
        (
            "Omdisponering, Äldrenämnd/Omsorgsnämnd - karriärtrappan steg 2",
            "Äldrenämnd/Omsorgsnämnd",
            -1500,
            -1500,
        ),
        (
            "Omdisponering, Äldrenämnd/Omsorgsnämnd - språkombud",
            "Äldrenämnd/Omsorgsnämnd",
            -300,
            -300,
        ),
        (
            "Omdisponering, Äldrenämnd/Omsorgsnämnd - marknadsföring",
            "Äldrenämnd/Omsorgsnämnd",
            -350,
            -350,
        ),
    ]
    assert all(
        line["heading"] == "Specifikation förändringar och omprioriteringar"
        for line in lines_of("Personal")
        if line["kind"] == "reallocation"
    )


def test_spot_personal_resource_funds() -> None:
    line = lines_of("Personal")[-1]
    assert line["text"] == "Resursmedel, rätt till önskad sysselsättningsgrad"
    assert line["kind"] == "resource_funds"
    assert line["heading"] == "Övriga förändringar"
    assert line["amounts"] == y(5000, 5000, 5000, 5000)


def test_spot_earlier_decision_reference() -> None:
    [line] = [x for x in lines_of("Flyktingsamordning") if x["kind"] == "earlier_decision"]
    assert line["text"] == "Tidigare beslut boendesamordning enl KS 2016-03-15 §97"
    assert line["decision_reference"] == "KS 2016-03-15 §97"
    assert line["heading"] == "Eventuella övriga förändringar"
    assert line["amounts"] == y(1800, 1800, 1800, 1800)


def test_spot_flyktingsamordning_zero_base_and_state_grant() -> None:
    assert areas()["Flyktingsamordning"]["base_amounts"] == y(0, 0, 0, 0)
    [grant] = [x for x in lines_of("Flyktingsamordning") if x["kind"] == "state_grant_financed"]
    assert grant["text"] == "Boendesamordning, finans via statsbidrag"
    assert grant["amounts"] == y(11150, 11150, 11150, 11150)


def test_spot_naringsliv_earmark_and_aerospace() -> None:
    by_text = {line["text"]: line for line in lines_of("Näringsliv")}
    assert by_text[OMV]["kind"] == "earmark_made_permanent"
    assert by_text[OMV]["heading"] == "Övriga förändringar"
    assert by_text[OMV]["amounts"] == y(6050, 2650, 2650, 2650)
    assert by_text["Aerospace Forum"]["kind"] == "addition"
    assert by_text["Aerospace Forum"]["amounts"] == y(3000, 0, 0, 0)


def test_spot_sakerhet_earmark() -> None:
    area = areas()["Säkerhet inkl. räddningstjänst"]
    assert area["code"] == "sakerhet-inkl-raddningstjanst"
    assert area["base_amounts"] == y(106005, 106005, 106005, 106005)
    assert [(x["text"], x["amounts"]) for x in area["change_lines"]] == [(OMV, y(1300, 0, 0, 0))]


def test_spot_ekonomi_and_marknadsforing_frame_requests() -> None:
    [system] = lines_of("Ekonomi")
    assert (system["text"], system["kind"]) == ("Systemstöd", "frame_request")
    assert system["amounts"] == y(3000, 2000, 2000, 2000)
    request = lines_of("Marknadsföring och kommunikation")[1]
    assert (request["text"], request["kind"]) == ("Rambegäran, utökat uppdrag", "frame_request")
    assert request["amounts"] == y(4350, 4350, 4350, 4350)


def test_spot_hallbarhet_varudistribution() -> None:
    area = areas()["Hållbarhet"]
    assert area["base_amounts"] == y(20247, 20247, 20247, 20247)
    first = area["change_lines"][0]
    assert (first["text"], first["kind"]) == ("Samordnad varudistribution", "resource_funds")
    assert first["amounts"] == y(5000, 5000, 0, 0)


def test_spot_digitalisering_has_no_base() -> None:
    area = areas()["Digitalisering"]
    assert area["base_amounts"] is None
    [line] = area["change_lines"]
    assert line["text"] == "Uppbyggnad av ny verksamhet"
    assert line["amounts"] == y(5000, 5000, 5000, 5000)


def test_spot_utforarstyrelsen_block() -> None:
    area = areas()["Utförarstyrelsen"]
    assert area["code"] == "utforarstyrelsen"
    assert area["base_amounts"] is None
    assert "Leanlink" in area["note"]
    [line] = area["change_lines"]
    assert (line["heading"], line["kind"], line["text"]) == (
        OMV,
        "earmark_made_permanent",
        "Utförarstyrelsen",
    )
    assert line["amounts"] == y(3725, 0, 0, 0)


def test_spot_investments() -> None:
    investments = content()["investments"]
    assert investments["frame"] == y(1000, 1000, 1000, 1000)
    by_name = {item["name"]: item for item in investments["items"]}
    general = by_name["Allmänt investeringsutrymme"]
    assert general["section"] == "within_frame"
    assert general["expenditure"] == y(1000, 1000, 1000, 1000)
    assert general["income"] == y(0, 0, 0, 0)
    beyond = by_name["Systemstöd, utveckling beslutsstödsystem"]
    assert beyond["section"] == "beyond_frame"
    assert beyond["heading"] == "Objekt där driftskostnaderna ryms inom befintlig ram"
    assert beyond["expenditure"] == y(5000, 0, 0, 0)


def test_spot_printed_control_totals() -> None:
    totals = content()["control_totals"]
    assert totals["directive_total"] == y(344009, 340927, 335927, 335927)
    assert totals["proposal_total"] == y(389504, 376127, 371127, 371127)
    assert totals["of_which_change"] == y(45495, 35200, 35200, 35200)
    assert totals["investments_within_frame"] == y(1000, 1000, 1000, 1000)
    assert totals["requests_beyond_frame"] == y(5000, 0, 0, 0)


# ---- (c) structure and arithmetic as printed -------------------------------------------------


def test_areas_and_change_lines_per_area_match_the_print() -> None:
    assert [(a["name"], len(a["change_lines"])) for a in content()["activity_areas"]] == [
        ("Kommunövergripande", 0),
        ("Administration", 0),
        ("Säkerhet inkl. räddningstjänst", 1),
        ("Mark- och översiktsplanering", 0),
        ("Näringsliv", 2),
        ("Ekonomi", 1),
        ("Marknadsföring och kommunikation", 2),
        ("Hållbarhet", 2),
        ("Flyktingsamordning", 3),
        ("Personal", 5),
        ("Digitalisering", 1),
        ("Utförarstyrelsen", 1),
    ]


def test_directive_has_the_five_printed_lines_in_order() -> None:
    assert [line["kind"] for line in content()["directive_lines"]] == [
        "earlier_decided_frame",
        "price_and_wage_indexation",
        "technical_adjustment",
        "resource_funds",
        "addition",
    ]


def test_lines_add_up_to_the_printed_totals() -> None:
    c = content()
    totals = c["control_totals"]
    directive = {yr: sum(line["amounts"][yr] for line in c["directive_lines"]) for yr in YEARS}
    proposal = {
        yr: sum(
            (a["base_amounts"] or {}).get(yr, 0) + sum(x["amounts"][yr] for x in a["change_lines"])
            for a in c["activity_areas"]
        )
        for yr in YEARS
    }
    assert directive == totals["directive_total"]
    assert proposal == totals["proposal_total"]
    assert {yr: proposal[yr] - directive[yr] for yr in YEARS} == totals["of_which_change"]
