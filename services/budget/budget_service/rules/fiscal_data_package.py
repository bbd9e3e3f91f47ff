"""A budget's versions as an Open Fiscal Data Package: a datapackage.json and one CSV.

Why: open-data users and tools such as OpenSpending and OpenBudgets read Fiscal Data Packages,
not our API. One long table of every version, each column mapped to a fiscal concept, lets them
compare our budgets with other municipalities' without learning our model. Pure functions: the
caller fetches the documents and serves the result.

One row per leaf amount (a line and a year): directive lines, each activity area's base amount
and change lines, each investment item's expenditure and, where it has any, income. No totals:
consumers aggregate. Amounts are whole thousand SEK; net cost rows (directive, proposal) have
direction "expenditure", investment income "revenue".

Our phases map onto the FDP phases (proposed | approved | adjusted | executed):

- directive, board_proposal, budget_preparation_proposal -> proposed
- council_decision, draft -> proposed (not decided yet, even when it revises a decision)
- council_decision, decided, superseding another version (a revision) -> adjusted
- council_decision, decided, superseding nothing -> approved
- executed is not used: outcomes belong to follow-up, not to a budget document.

The descriptor carries both generations of the spec: v1.0rc1 `columnType` on every schema field
and the v0.3 `model` (`measures`, `dimensions`) that older OpenSpending tooling reads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from budget_service.schemas_out import BudgetDocument, VersionOut
from budget_service.vocabulary import Phase, VersionStatus

CURRENCY = "SEK"
FACTOR = 1000  # amounts are thousand SEK (tkr)

ADMIN, FUNCTIONAL = "administrative-classification:generic:", "functional-classification:generic:"
INTEGERS = {"version", "fiscal_year", "amount"}  # every other column is a string
# (column, FDP columnType, description); custom columnTypes extend the budget taxonomy
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("version", "budget-version:number", "Version number within the budget"),
    ("status", "budget-version:status", "draft or decided"),
    ("phase", "phase:id:municipal", "Phase of the Swedish municipal budget process"),
    ("phase_label", "phase:label:municipal", "Swedish name of the phase"),
    ("fdp_phase", "phase:id", "proposed, approved or adjusted"),
    ("line_id", "budget-line-id", "The line within its version"),
    ("section", "value-kind:code", "directive, proposal or investment"),
    ("investment_section", "value-kind:code:investment-section", "within_frame or beyond_frame"),
    ("line_kind", "value-kind:code:line-kind", "Directive or change kind, base, or income"),
    ("municipality_code", ADMIN + "level1:code", "Official four-digit municipality code"),
    ("municipality_name", ADMIN + "level1:label", "Municipality"),
    ("board_code", ADMIN + "level2:code", "Board (nämnd) within the municipality"),
    ("board_name", ADMIN + "level2:label", "Name of the board"),
    ("activity_area_code", FUNCTIONAL + "code", "Activity area; empty outside the proposal"),
    ("activity_area_name", FUNCTIONAL + "label", "Name of the activity area"),
    ("heading", "budget-line:heading", "Heading of a change line or investment"),
    ("line_text", "budget-line:text", "Text of the line or name of the investment"),
    ("decision_reference", "budget-line:decision-reference", "Earlier decision referred to"),
    ("counterparty", "budget-line:counterparty", "The other board of a reallocation"),
    ("fiscal_year", "date:fiscal-year", "Fiscal (calendar) year of the amount"),
    ("direction", "direction", "expenditure (also net cost) or revenue"),
    ("amount", "value", "Thousand SEK"),
)
COLUMNS = [name for name, *_ in FIELDS]

Row = dict[str, Any]


def fdp_phase(version: VersionOut) -> str:
    """The FDP phase of one version; see the module docstring."""
    if version.phase != Phase.COUNCIL_DECISION or version.status != VersionStatus.DECIDED:
        return "proposed"
    return "adjusted" if version.supersedes_version is not None else "approved"


def _common(doc: BudgetDocument) -> Row:
    v = doc.version
    owner = ("municipality_code", "municipality_name", "board_code", "board_name")
    return {
        "version": v.number,
        "status": str(v.status),
        "phase": str(v.phase),
        "phase_label": v.phase_label,
        "fdp_phase": fdp_phase(v),
        **{name: getattr(doc, name) for name in owner},
    }


def _per_year(base: Row, amounts: dict[str, int], direction: str = "expenditure") -> Iterator[Row]:
    for year, amount in sorted(amounts.items()):
        yield {**base, "fiscal_year": int(year), "direction": direction, "amount": int(amount)}


def _directive_rows(doc: BudgetDocument, common: Row) -> Iterator[Row]:
    for line in doc.directive.lines:
        base = {
            **common,
            "line_id": f"directive:{line.position}",
            "section": "directive",
            "line_kind": str(line.kind),
            "line_text": line.text,
            "decision_reference": line.decision_reference,
        }
        yield from _per_year(base, line.amounts)


def _proposal_rows(doc: BudgetDocument, common: Row) -> Iterator[Row]:
    for area in doc.proposal.activity_areas:
        area_row = {
            **common,
            "section": "proposal",
            "activity_area_code": area.code,
            "activity_area_name": area.name,
        }
        if area.base_amounts is not None:
            base = {**area_row, "line_id": f"proposal:{area.code}:base", "line_kind": "base"}
            yield from _per_year(base, area.base_amounts)
        for line in area.change_lines:
            base = {
                **area_row,
                "line_id": f"proposal:{area.code}:{line.position}",
                "line_kind": str(line.kind),
                "heading": line.heading,
                "line_text": line.text,
                "decision_reference": line.decision_reference,
                "counterparty": line.counterparty,
            }
            yield from _per_year(base, line.amounts)


def _investment_rows(doc: BudgetDocument, common: Row) -> Iterator[Row]:
    sections = (doc.investments.within_frame, doc.investments.beyond_frame)
    for item in (item for section in sections for item in section.items):
        base = {
            **common,
            "line_id": f"investment:{item.position}",
            "section": "investment",
            "investment_section": str(item.section),
            "heading": item.heading,
            "line_text": item.name,
        }
        yield from _per_year({**base, "line_kind": "expenditure"}, item.expenditure)
        if any(item.income.values()):
            yield from _per_year({**base, "line_kind": "income"}, item.income, "revenue")


def rows(documents: list[BudgetDocument]) -> Iterator[Row]:
    """Every leaf amount of every version, in version order."""
    for doc in documents:
        common = _common(doc)
        yield from _directive_rows(doc, common)
        yield from _proposal_rows(doc, common)
        yield from _investment_rows(doc, common)


def budget_csv(documents: list[BudgetDocument]) -> str:
    """The data file: RFC 4180 CSV with a header row; missing values are empty cells."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, restval="", lineterminator="\r\n")
    writer.writeheader()
    for row in rows(documents):
        writer.writerow({key: "" if value is None else value for key, value in row.items()})
    return out.getvalue()


def _slug(text: str) -> str:
    text = text.lower().translate(str.maketrans("åäöé", "aaoe"))
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "-" for c in text)


def _schema_field(name: str, column_type: str, description: str) -> Row:
    field: Row = {
        "name": name,
        "type": "integer" if name in INTEGERS else "string",
        "columnType": column_type,
        "description": description,
    }
    if column_type == "value":  # OpenSpending reads currency and factor off the measure field
        field |= {"currency": CURRENCY, "factor": FACTOR}
    return field


def _attr(source: str, **extra: str) -> Row:
    return {"source": source, **extra}


def _dimension(kind: str, key: str | list[str], attributes: Row, **extra: str) -> Row:
    return {"dimensionType": kind, "primaryKey": key, "attributes": attributes, **extra}


def _model() -> Row:
    """The v0.3 logical model; a classification dimension must have a `code` attribute."""
    line = (
        "line_id",
        "section",
        "investment_section",
        "line_kind",
        "heading",
        "line_text",
        "decision_reference",
        "counterparty",
    )
    return {
        "measures": {"amount": {"source": "amount", "currency": CURRENCY, "factor": FACTOR}},
        "dimensions": {
            "administrative": _dimension(
                "classification",
                ["municipality", "code"],
                {
                    "municipality": _attr("municipality_code"),
                    "municipality_name": _attr("municipality_name", labelfor="municipality"),
                    "code": _attr("board_code", parent="municipality"),
                    "label": _attr("board_name", labelfor="code"),
                },
                classificationType="administrative",
            ),
            "activity_area": _dimension(
                "classification",
                "code",
                {
                    "code": _attr("activity_area_code"),
                    "label": _attr("activity_area_name", labelfor="code"),
                },
                classificationType="functional",
            ),
            "version": _dimension(
                "other",
                "number",
                {
                    "number": _attr("version"),
                    "status": _attr("status"),
                    "phase": _attr("phase"),
                    "phase_label": _attr("phase_label", labelfor="phase"),
                },
            ),
            "phase": _dimension("other", "code", {"code": _attr("fdp_phase")}),
            "direction": _dimension("other", "code", {"code": _attr("direction")}),
            "fiscal_year": _dimension("datetime", "year", {"year": _attr("fiscal_year")}),
            "budget_line": _dimension("fact", "line_id", {name: _attr(name) for name in line}),
        },
    }


def datapackage(documents: list[BudgetDocument], csv_path: str = "budget.csv") -> dict[str, Any]:
    """The datapackage.json descriptor for budget_csv(documents) stored at csv_path."""
    if not documents:
        raise ValueError("a fiscal data package needs at least one budget version")
    first = documents[0]
    years = sorted({year for doc in documents for year in doc.years})
    return {
        "profile": "fiscal-data-package",
        "name": _slug(f"{first.municipality_code}-{first.board_code}-{first.budget_year}"),
        "title": f"{first.municipality_name}, {first.board_name}: {first.title}",
        "countryCode": "SE",
        "granularity": "aggregated",
        "fiscalPeriod": {"start": f"{years[0]}-01-01", "end": f"{years[-1]}-12-31"},
        "resources": [
            {
                "name": "budget",
                "path": csv_path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [_schema_field(*field) for field in FIELDS],
                    "extraFields": [
                        {
                            "name": "currency",
                            "type": "string",
                            "columnType": "value-currency:code",
                            "constant": CURRENCY,
                        }
                    ],
                    "primaryKey": ["version", "line_id", "fiscal_year", "direction"],
                    "missingValues": [""],
                },
            }
        ],
        "model": _model(),
    }
