"""The report's rows for controllers: the XLSX opened with openpyxl (one sheet per section,
figures as numbers, never text) and the CSV read back with the csv module. The register's
section is the seeded report; the peers' sections are documents of their shared contracts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from indicator_service.rendering import sheets
from indicator_service.schemas_out import ComposedReport, Section
from municipal_shared.contracts.budget import BudgetFollowUp, FollowUpAmounts, FollowUpRow
from municipal_shared.contracts.procurement import ProcurementMeasurement

COMPOSED = "/v1/registers/0580/KS/reports/2018/T2/composed"
NOW = dt.datetime(2018, 9, 14, 8, 0, tzinfo=dt.UTC)


def _follow_up() -> BudgetFollowUp:
    rows = [
        FollowUpRow(
            activity_area_code="naringsliv",
            activity_area_name="Näringsliv",
            budget=34449,
            outcome_to_date=Decimal("22100.5"),
            full_year_forecast=Decimal("36249"),
            deviation=Decimal("-1800"),
            comment='=HYPERLINK("http://example.test")',
        ),
        FollowUpRow(
            activity_area_code="ekonomi",
            activity_area_name="Ekonomi",
            budget=44373,
            outcome_to_date=None,
            full_year_forecast=None,
            deviation=None,
        ),
    ]
    total = FollowUpAmounts(
        budget=78822, outcome_to_date=None, full_year_forecast=None, deviation=None
    )
    return BudgetFollowUp(
        municipality_code="0580",
        board_code="KS",
        budget_year=2018,
        tertial="T2",
        period_end=dt.date(2018, 8, 31),
        reference_version=1,
        reference_phase="board_proposal",
        reported=True,
        areas_reported=1,
        rows=rows,
        total=total,
    )


def _count(value: int | None, based_on: int) -> dict[str, Any]:
    return {"value": value, "based_on": based_on}


def _ratio(value: str | None, based_on: int) -> dict[str, Any]:
    return {"value": value, "based_on": based_on}


def _measurement() -> ProcurementMeasurement:
    classes = {k: _count(None, 0) for k in ("micro", "small", "medium", "sme", "large", "no_data")}
    return ProcurementMeasurement.model_validate(
        {
            "municipality_code": "0580",
            "administration": None,
            "period": "2018-T2",
            "start": "2018-01-01",
            "end": "2018-08-31",
            "competition": {
                "procurements": 7,
                "bids": _count(20, 7),
                "bidders": _count(20, 7),
                "bidders_per_procurement_mean": _ratio("2.86", 7),
                "bidders_per_procurement_median": _ratio("3", 7),
                "single_bidder_share": _ratio("0.1429", 7),
            },
            "size_classes": {
                "bidders_by_class": classes,
                "sme_bidders": _count(13, 7),
                "sme_share_of_bidders": _ratio("0.65", 7),
                "sme_share_of_bidders_with_known_size": _ratio("0.65", 7),
                "winners_by_class": classes,
                "sme_winners": _count(5, 7),
                "sme_share_of_winners": _ratio("0.7143", 7),
                "procurements_won_by_sme": _count(5, 7),
            },
            "employment_requirement": {
                "rule": {
                    "categories": ["services", "works"],
                    "more_than_days": 122,
                    "min_employees": 2,
                    "judged_suitable": True,
                },
                "procurements": 7,
                **{
                    name: _count(None, 0)
                    for name in (
                        "meeting_the_objective_criteria",
                        "eligible",
                        "set",
                        "eligible_and_set",
                        "eligible_but_not_set",
                        "set_and_contract_signed",
                    )
                },
                "not_set_reasons": [],
            },
            "direct_awards": {
                "threshold_sek": "100000",
                "above_threshold": _count(0, 0),
                "above_threshold_advertised": _count(0, 0),
                "advertised_share": _ratio(None, 0),
            },
        }
    )


@pytest.fixture
async def report(client: httpx.AsyncClient, seeded: str) -> ComposedReport:
    own = ComposedReport.model_validate((await client.get(COMPOSED)).json())
    sections = {
        "indicators": own.sections["indicators"],
        "budget": Section(
            source="budget", retrieved_at=NOW, status="available",
            data=_follow_up().model_dump(mode="json"),
        ),
        "procurement": Section(
            source="procurement", retrieved_at=NOW, status="available",
            data=_measurement().model_dump(mode="json"),
        ),
    }  # fmt: skip
    return own.model_copy(update={"sections": sections})


def _rows(book: Any, title: str) -> list[list[Any]]:
    return [[cell.value for cell in row] for row in book[title].iter_rows()]


async def test_one_sheet_per_section_with_figures_as_numbers(report: ComposedReport) -> None:
    book = load_workbook(io.BytesIO(sheets.xlsx(report)))
    sections = ["Indikatorer och måluppfyllelse", "Budgetuppföljning", "Upphandling"]
    if report.assignments is not None:  # the register keeps assignments
        sections.append("Uppdrag")
    assert book.sheetnames == sections

    budget = _rows(book, "Budgetuppföljning")
    assert budget[0][:6] == [
        "Kod", "Verksamhetsområde", "Budget (tkr)", "Utfall hittills (tkr)",
        "Helårsprognos (tkr)", "Avvikelse (tkr)",
    ]  # fmt: skip
    assert budget[1][:6] == ["naringsliv", "Näringsliv", 34449, 22100.5, 36249, -1800]
    assert budget[2][:6] == ["ekonomi", "Ekonomi", 44373, None, None, None]  # nothing, not 0
    assert budget[3][:3] == ["summa", "Summa", 78822]
    for row in budget[1:]:
        assert all(isinstance(v, int | float) for v in row[2:6] if v is not None)
    # Text that looks like a formula stays text: a comment can never run in Excel.
    sheet = book["Budgetuppföljning"]
    assert sheet["G2"].data_type == "s" and sheet["G2"].value.startswith("=HYPERLINK")

    indicators = _rows(book, "Indikatorer och måluppfyllelse")
    header = indicators[0]
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in indicators[1:]}
    assert len(by_code) == 42
    turnover = by_code["personalomsattning"]
    assert turnover["Utfall"] == 7.9 and turnover["Jämförelsevärde"] == 4.8
    assert turnover["Mål (ordagrant)"] == "ska minska" and turnover["Bedömning"] == "Ej uppfyllt"
    wifi = by_code["linkoping-wifi-antal-accesspunkter"]
    assert wifi["Målvärde"] == 70 and wifi["Utfall"] == 50
    assert isinstance(wifi["Målvärde"], int | float) and isinstance(wifi["Utfall"], int | float)

    procurement = {row[0]: row for row in _rows(book, "Upphandling")[1:]}
    assert procurement["procurements"][2] == 7
    assert procurement["sme_share_of_bidders_with_known_size"][2:] == [None, 0.65, 7]
    assert procurement["bidders_per_procurement_mean"][2] == 2.86
    assert book["Upphandling"]["D7"].number_format == "0.0%"


async def test_an_unavailable_section_is_a_sheet_that_says_why(report: ComposedReport) -> None:
    down = Section(
        source="budget", retrieved_at=NOW, status="unavailable", detail="unreachable: ConnectError"
    )
    book = load_workbook(io.BytesIO(sheets.xlsx(
        report.model_copy(update={"sections": {**report.sections, "budget": down}})
    )))  # fmt: skip
    assert _rows(book, "Budgetuppföljning") == [
        ["Avsnittet kunde inte läsas: tjänsten svarade inte (unreachable: ConnectError)."]
    ]


async def test_the_csv_has_every_figure_once_in_long_form(report: ComposedReport) -> None:
    text = sheets.csv_text(report)
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert lines[0] == ["avsnitt", "kod", "namn", "uppgift", "värde", "text"]
    rows = {(r[0], r[1], r[3]): (r[4], r[5]) for r in lines[1:]}
    assert rows[("Budgetuppföljning", "naringsliv", "Utfall hittills (tkr)")] == ("22100,5", "")
    assert rows[("Budgetuppföljning", "summa", "Budget (tkr)")] == ("78822", "")
    assert ("Budgetuppföljning", "ekonomi", "Helårsprognos (tkr)") not in rows  # no zero
    assert rows[("Upphandling", "sme_share_of_bidders_with_known_size", "Andel")] == ("0,65", "")
    outcome = rows[("Indikatorer och måluppfyllelse", "personalomsattning", "Utfall")]
    assert outcome == ("7,9", "")
    # A text cell that a spreadsheet would take for a formula is quoted as text.
    comment = rows[("Budgetuppföljning", "naringsliv", "Kommentar")]
    assert comment == ("", '\'=HYPERLINK("http://example.test")')
    assert len(lines) == len({tuple(line[:4]) for line in lines})  # each figure once
