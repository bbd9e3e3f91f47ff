"""The Fiscal Data Package export: pure functions over hand-built budget documents."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from typing import Any

import pytest

from budget_service.rules.fiscal_data_package import budget_csv, datapackage, fdp_phase
from budget_service.schemas_out import BudgetDocument, VersionOut

NOW = "2017-11-28T10:00:00Z"


@pytest.fixture(autouse=True)
def clean_tables() -> None:
    """Overrides the conftest fixture of the same name: these tests need no database."""


def _section(items: list[dict[str, Any]]) -> dict[str, Any]:
    def total(key: str) -> dict[str, int]:
        return {y: sum(i[key][y] for i in items) for y in ("2018", "2019")}

    return {
        "items": items,
        "total": total("net"),
        "of_which_expenditure": total("expenditure"),
        "of_which_income": total("income"),
    }


def _document(
    number: int, phase: str, status: str, addition_2018: int, supersedes: int | None = None
) -> BudgetDocument:
    """Kommunstyrelsen in Linköping, 2018 with one plan year. `addition_2018` varies the
    proposal between versions; the printed totals below are worked out by hand."""
    proposal_2018 = 7644 + addition_2018 - 44 + 100
    return BudgetDocument.model_validate(
        {
            "municipality_code": "0580",
            "municipality_name": "Linköping",
            "board_code": "KS",
            "board_name": "Kommunstyrelsen",
            "budget_year": 2018,
            "years": [2018, 2019],
            "title": "Budget 2018 med plan 2019",
            "version": {
                "number": number,
                "phase": phase,
                "phase_label": "x",
                "status": status,
                "based_on_version": None,
                "supersedes_version": supersedes,
                "superseded_by_version": None,
                "decision": None,
                "etag": f'"v{number}"',
                "created_at": NOW,
                "updated_at": NOW,
            },
            "directive": {
                "lines": [
                    {
                        "id": 1,
                        "position": 0,
                        "kind": "earlier_decided_frame",
                        "text": "Ram",
                        "decision_reference": "KF 2016-11-24",
                        "amounts": {"2018": 7644, "2019": 7580},
                    },
                    {
                        "id": 2,
                        "position": 1,
                        "kind": "price_and_wage_indexation",
                        "text": "PLU",
                        "decision_reference": None,
                        "amounts": {"2018": 150, "2019": 300},
                    },
                ],
                "total": {"2018": 7794, "2019": 7880},
            },
            "proposal": {
                "activity_areas": [
                    {
                        "code": "naringsliv",
                        "name": "Näringsliv",
                        "position": 0,
                        "note": None,
                        "base_amounts": {"2018": 7644, "2019": 7580},
                        "change_lines": [
                            {
                                "id": 3,
                                "position": 0,
                                "heading": "Tillskott",
                                "kind": "addition",
                                "text": 'Tillskott, "citat", komma',
                                "decision_reference": None,
                                "counterparty": None,
                                "amounts": {"2018": addition_2018, "2019": 300},
                            },
                            {
                                "id": 4,
                                "position": 1,
                                "heading": "Övrigt",
                                "kind": "reallocation",
                                "text": "Till BUN",
                                "decision_reference": None,
                                "counterparty": "BUN",
                                "amounts": {"2018": -44, "2019": -80},
                            },
                        ],
                        "total": {"2018": 7644 + addition_2018 - 44, "2019": 7800},
                    },
                    {
                        "code": "kultur",
                        "name": "Kultur",
                        "position": 1,
                        "note": None,
                        "base_amounts": None,
                        "change_lines": [
                            {
                                "id": 5,
                                "position": 0,
                                "heading": "Ramäskande",
                                "kind": "frame_request",
                                "text": "Bibliotek",
                                "decision_reference": None,
                                "counterparty": None,
                                "amounts": {"2018": 100, "2019": 100},
                            },
                        ],
                        "total": {"2018": 100, "2019": 100},
                    },
                ],
                "total": {"2018": proposal_2018, "2019": 7900},
                "of_which_change": {"2018": proposal_2018 - 7794, "2019": 20},
            },
            "investments": {
                "frame": {"2018": 2000, "2019": 2000},
                "within_frame": _section(
                    [
                        {
                            "id": 6,
                            "position": 0,
                            "section": "within_frame",
                            "heading": "IT",
                            "name": "Servrar",
                            "expenditure": {"2018": 1000, "2019": 500},
                            "income": {"2018": 200, "2019": 0},
                            "net": {"2018": 800, "2019": 500},
                        },
                    ]
                ),
                "beyond_frame": _section(
                    [
                        {
                            "id": 7,
                            "position": 1,
                            "section": "beyond_frame",
                            "heading": None,
                            "name": "Ny lokal",
                            "expenditure": {"2018": 300, "2019": 300},
                            "income": {"2018": 0, "2019": 0},
                            "net": {"2018": 300, "2019": 300},
                        },
                    ]
                ),
                "frame_remaining": {"2018": 1200, "2019": 1500},
            },
            "links": {"self": f"/v1/budgets/0580/KS/2018/versions/{number}"},
        }
    )


@pytest.fixture
def documents() -> list[BudgetDocument]:
    return [
        _document(1, "board_proposal", "draft", 150),
        _document(2, "council_decision", "decided", 200),
    ]


def _rows(documents: list[BudgetDocument]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(budget_csv(documents))))


def _leaf_count(doc: BudgetDocument) -> int:
    count = sum(len(line.amounts) for line in doc.directive.lines)
    for area in doc.proposal.activity_areas:
        count += len(area.base_amounts or {})
        count += sum(len(line.amounts) for line in area.change_lines)
    for item in doc.investments.within_frame.items + doc.investments.beyond_frame.items:
        count += len(item.expenditure) + (len(item.income) if any(item.income.values()) else 0)
    return count


def _sums(rows: list[dict[str, str]], **where: str) -> dict[tuple[int, str], int]:
    sums: dict[tuple[int, str], int] = defaultdict(int)
    for row in rows:
        if all(row[key] == value for key, value in where.items()):
            sums[int(row["version"]), row["fiscal_year"]] += int(row["amount"])
    return sums


def test_header_and_one_row_per_leaf_amount(documents: list[BudgetDocument]) -> None:
    text = budget_csv(documents)
    header = next(csv.reader(io.StringIO(text)))
    assert header[:3] == ["version", "status", "phase"]
    assert {"fdp_phase", "section", "fiscal_year", "direction", "amount"} <= set(header)
    rows = _rows(documents)
    assert len(rows) == sum(_leaf_count(doc) for doc in documents) == 36


def test_proposal_rows_sum_to_proposal_total(documents: list[BudgetDocument]) -> None:
    sums = _sums(_rows(documents), section="proposal")
    for doc in documents:
        for year, total in doc.proposal.total.items():
            assert sums[doc.version.number, year] == total


def test_directive_rows_sum_to_directive_total(documents: list[BudgetDocument]) -> None:
    rows = _rows(documents)
    sums = _sums(rows, section="directive")
    for doc in documents:
        for year, total in doc.directive.total.items():
            assert sums[doc.version.number, year] == total
    assert all(r["activity_area_code"] == "" for r in rows if r["section"] == "directive")


def test_investment_rows_net_to_section_totals(documents: list[BudgetDocument]) -> None:
    rows = _rows(documents)
    for doc in documents:
        for name in ("within_frame", "beyond_frame"):
            spent = _sums(rows, investment_section=name, direction="expenditure")
            earned = _sums(rows, investment_section=name, direction="revenue")
            for year, net in getattr(doc.investments, name).total.items():
                key = (doc.version.number, year)
                assert spent[key] - earned[key] == net
    revenue = [r for r in rows if r["direction"] == "revenue"]
    assert {r["line_kind"] for r in revenue} == {"income"} and len(revenue) == 4


@pytest.mark.parametrize(
    ("phase", "status", "supersedes", "expected"),
    [
        ("directive", "decided", None, "proposed"),
        ("board_proposal", "decided", None, "proposed"),
        ("budget_preparation_proposal", "draft", None, "proposed"),
        ("council_decision", "draft", None, "proposed"),
        ("council_decision", "decided", None, "approved"),
        ("council_decision", "decided", 2, "adjusted"),
    ],
)
def test_phase_mapping(phase: str, status: str, supersedes: int | None, expected: str) -> None:
    version = _document(3, phase, status, 150, supersedes).version
    assert isinstance(version, VersionOut)
    assert fdp_phase(version) == expected


def test_csv_carries_phase_per_version(documents: list[BudgetDocument]) -> None:
    revision = _document(3, "council_decision", "decided", 250, supersedes=2)
    phases = {(r["version"], r["phase"], r["fdp_phase"]) for r in _rows([*documents, revision])}
    assert phases == {
        ("1", "board_proposal", "proposed"),
        ("2", "council_decision", "approved"),
        ("3", "council_decision", "adjusted"),
    }


def test_every_csv_column_is_described(documents: list[BudgetDocument]) -> None:
    header = next(csv.reader(io.StringIO(budget_csv(documents))))
    fields = datapackage(documents)["resources"][0]["schema"]["fields"]
    assert [f["name"] for f in fields] == header
    assert all(f["type"] and f["columnType"] for f in fields)
    by_name = {f["name"]: f for f in fields}
    assert by_name["fiscal_year"]["columnType"] == "date:fiscal-year"
    assert by_name["amount"]["columnType"] == "value"


def test_descriptor_states_sek_in_thousands(documents: list[BudgetDocument]) -> None:
    package = datapackage(documents, csv_path="data/budget.csv")
    assert package["model"]["measures"]["amount"] == {
        "source": "amount",
        "currency": "SEK",
        "factor": 1000,
    }
    amount = next(f for f in package["resources"][0]["schema"]["fields"] if f["name"] == "amount")
    assert (amount["type"], amount["currency"], amount["factor"]) == ("integer", "SEK", 1000)
    assert package["profile"] == "fiscal-data-package"
    assert package["name"] == "0580-ks-2018"
    assert package["countryCode"] == "SE"
    assert package["fiscalPeriod"] == {"start": "2018-01-01", "end": "2019-12-31"}
    resource = package["resources"][0]
    assert resource["path"] == "data/budget.csv"
    assert (resource["mediatype"], resource["encoding"]) == ("text/csv", "utf-8")
    for dimension in package["model"]["dimensions"].values():
        assert dimension["attributes"] and dimension["primaryKey"]
        if dimension["dimensionType"] == "classification":  # v0.3 requires a code attribute
            assert "code" in dimension["attributes"]


def test_amounts_are_integers(documents: list[BudgetDocument]) -> None:
    rows = _rows(documents)
    assert all(re.fullmatch(r"-?[0-9]+", r["amount"]) for r in rows)
    assert all(re.fullmatch(r"[0-9]{4}", r["fiscal_year"]) for r in rows)
    assert any(r["amount"].startswith("-") for r in rows)


def test_text_with_quotes_and_commas_round_trips(documents: list[BudgetDocument]) -> None:
    texts = {r["line_text"] for r in _rows(documents)}
    assert 'Tillskott, "citat", komma' in texts
