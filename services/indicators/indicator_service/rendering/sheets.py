"""The report's rows for controllers: one table per section, written as an XLSX workbook
(one sheet per section, figures as numbers) and as CSV (the same tables in long form, one
line per figure, so every section fits one file and a pivot table reads it as it is)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]  # ships no type hints
from openpyxl.styles import Font  # type: ignore[import-untyped]  # likewise

from indicator_service.rendering import labels, reasons
from indicator_service.rendering.figures import procurement_figures
from indicator_service.schemas_out import (
    AssignmentsSection,
    ComposedReport,
    ReportRow,
    TertialReport,
)
from municipal_shared.contracts.budget import BudgetFollowUp
from municipal_shared.contracts.procurement import ProcurementMeasurement

Cell = str | int | Decimal | None
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8; header=present"
_FORMATS = {"amount": "#,##0", "number": "#,##0.###", "share": "0.0%", "text": "@"}


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text, number, amount (tkr) or share (0.25 is 25 %)
    width: int = 14


@dataclass(frozen=True)
class Sheet:
    section: str
    columns: list[Column]
    rows: list[list[Cell]]
    unavailable: str | None = None

    @property
    def title(self) -> str:
        return labels.SECTIONS.get(self.section, self.section)[:31]  # Excel's limit


def _d(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _indicator_row(row: ReportRow) -> list[Cell]:
    c: Mapping[str, Any] = row.evaluation.compared
    target, outcome = row.target, row.outcome
    reference, period = next(
        ((c[v], c.get(p)) for v, p in _REFERENCES if c.get(v) is not None), (None, None)
    )
    return [
        row.indicator.code,
        row.indicator.name,
        ", ".join(str(g) for g in row.indicator.council_goals),
        ", ".join(row.indicator.focus_areas),
        row.indicator.unit,
        labels.TARGET_KIND[target.kind] if target else None,
        target.wording if target else None,
        target.value if target else None,
        outcome.value if outcome else None,
        outcome.period if outcome else None,
        (labels.VALUE_STATUS[outcome.status] or "normalt") if outcome else None,
        _d(reference),
        None if period is None else str(period),
        labels.FULFILMENT[row.evaluation.status],
        reasons.row_reason(row),
    ]


_REFERENCES = (
    ("reference", "reference_period"),
    ("base", "base_period"),
    ("required", "target_year"),
    ("target", "target_year"),
)
_INDICATOR_COLUMNS = [
    Column("Kod", width=24),
    Column("Indikator", width=40),
    Column("KF-mål"),
    Column("Fokusområden", width=24),
    Column("Enhet", width=8),
    Column("Måltyp", width=24),
    Column("Mål (ordagrant)", width=50),
    Column("Målvärde", "number"),
    Column("Utfall", "number"),
    Column("Utfallsperiod"),
    Column("Utfallsstatus"),
    Column("Jämförelsevärde", "number"),
    Column("Jämförelseperiod"),
    Column("Bedömning", width=18),
    Column("Motivering", width=80),
]
_BUDGET_COLUMNS = [
    Column("Kod", width=24),
    Column("Verksamhetsområde", width=34),
    Column("Budget (tkr)", "amount"),
    Column("Utfall hittills (tkr)", "amount"),
    Column("Helårsprognos (tkr)", "amount"),
    Column("Avvikelse (tkr)", "amount"),
    Column("Kommentar", width=50),
]
_PROCUREMENT_COLUMNS = [
    Column("Kod", width=40),
    Column("Mått", width=50),
    Column("Antal", "number"),
    Column("Andel", "share"),
    Column("Underlag (upphandlingar)", "number", width=22),
]
_ASSIGNMENT_COLUMNS = [
    Column("Kod", width=24),
    Column("Uppdrag", width=60),
    Column("KF-mål"),
    Column("Status", width=16),
    Column("Statusperiod"),
    Column("Ej uppdaterat"),
    Column("Kommentar", width=50),
    Column("Orsak", width=40),
]


def sheets(report: ComposedReport) -> list[Sheet]:
    """One table per section of the report, in the report's order; an unavailable section
    is a table without rows that says why."""
    out = []
    for name, section in report.sections.items():
        if section.status != "available" or section.data is None:
            out.append(Sheet(name, [], [], labels.unavailable(section.detail)))
        elif name == "indicators":
            own = TertialReport.model_validate(section.data)
            out.append(Sheet(name, _INDICATOR_COLUMNS, [_indicator_row(r) for r in own.rows]))
        elif name == "budget":
            out.append(_budget(BudgetFollowUp.model_validate(section.data)))
        elif name == "procurement":
            out.append(_procurement(ProcurementMeasurement.model_validate(section.data)))
    if report.assignments is not None:
        out.append(_assignments(report.assignments))
    return out


def _budget(follow_up: BudgetFollowUp) -> Sheet:
    rows: list[list[Cell]] = [
        [
            r.activity_area_code,
            r.activity_area_name,
            r.budget,
            r.outcome_to_date,
            r.full_year_forecast,
            r.deviation,
            r.comment,
        ]
        for r in follow_up.rows
    ]
    t = follow_up.total
    rows.append(
        ["summa", "Summa", t.budget, t.outcome_to_date, t.full_year_forecast, t.deviation, None]
    )
    return Sheet("budget", _BUDGET_COLUMNS, rows)


def _procurement(measurement: ProcurementMeasurement) -> Sheet:
    rows: list[list[Cell]] = [
        [f.key, f.label, None if f.share else f.value, f.value if f.share else None, f.based_on]
        for f in procurement_figures(measurement)
    ]
    return Sheet("procurement", _PROCUREMENT_COLUMNS, rows)


def _assignments(section: AssignmentsSection) -> Sheet:
    rows: list[list[Cell]] = []
    for item in section.items:
        status = labels.ASSIGNMENT_STATUS[item.status] if item.status else None
        rows.append(
            [
                item.code,
                item.title,
                ", ".join(str(g) for g in item.council_goals),
                status,
                item.status_period,
                "ja" if item.not_updated else "nej",
                item.comment,
                item.status_reason,
            ]
        )
    return Sheet("assignments", _ASSIGNMENT_COLUMNS, rows)


def xlsx(report: ComposedReport) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets(report):
        ws = book.create_sheet(sheet.title)
        if sheet.unavailable is not None:
            ws.append([sheet.unavailable])
            continue
        ws.append([c.title for c in sheet.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append(row)
            for cell in ws[ws.max_row]:
                if cell.data_type == "f":  # openpyxl takes "=…" for a formula: keep it text
                    cell.data_type = "s"
        for index, column in enumerate(sheet.columns, start=1):
            letter = ws.cell(row=1, column=index).column_letter
            ws.column_dimensions[letter].width = column.width
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = _FORMATS[column.kind]
        ws.freeze_panes = "C2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _as_text(value: str) -> str:
    """Text a spreadsheet would run as a formula is quoted (a comment is anyone's input)."""
    return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value


def csv_text(report: ComposedReport) -> str:
    """Semicolon-separated with a decimal comma and a byte order mark: what a spreadsheet
    set to Swedish opens as it is. One line per figure or text: section, row key, row name,
    what the value is, and the value (a number in `värde`, words in `text`)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["avsnitt", "kod", "namn", "uppgift", "värde", "text"])
    for sheet in sheets(report):
        if sheet.unavailable is not None:
            writer.writerow([sheet.title, "", "", "Ej tillgängligt", "", sheet.unavailable])
            continue
        for row in sheet.rows:
            key, name = row[0], row[1]
            for column, cell in zip(sheet.columns[2:], row[2:], strict=True):
                if cell is None or cell == "":
                    continue
                if isinstance(cell, str):
                    writer.writerow([sheet.title, key, name, column.title, "", _as_text(cell)])
                else:
                    text = format(Decimal(cell), "f").replace(".", ",")
                    writer.writerow([sheet.title, key, name, column.title, text, ""])
    return out.getvalue()
