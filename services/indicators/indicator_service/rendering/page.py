"""The composed report as a page in Swedish (Jinja2, escaped by default), and as a PDF of
the same page (WeasyPrint). `PageContext` carries what the page shows beyond the report:
the names behind the codes and the year's earlier procurement tertials for the trend."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from indicator_service.rendering import charts, labels, numbers, reasons
from indicator_service.rendering.charts import Bar, Stack
from indicator_service.rendering.figures import procurement_figures
from indicator_service.schemas_out import (
    ComposedReport,
    ReportRow,
    RollUpOut,
    TertialReport,
)
from indicator_service.vocabulary import Fulfilment, ValueStatus
from municipal_shared.contracts.budget import BudgetFollowUp
from municipal_shared.contracts.procurement import ProcurementMeasurement
from municipal_shared.kit.peers import PeerReading
from municipal_shared.types import Tertial

STYLESHEET = resources.files(__package__).joinpath("templates/report.css").read_text("utf-8")
# The page's only style is the <style> block above; the services' policy forbids inline
# styles (default-src 'none'), so this page's policy allows exactly that block by its hash,
# and nothing else: no script, no image, font or stylesheet from anywhere.
STYLE_SOURCE = (
    "'sha256-" + base64.b64encode(hashlib.sha256(STYLESHEET.encode()).digest()).decode() + "'"
)
PAGE_CSP = f"default-src 'none'; style-src {STYLE_SOURCE}; frame-ancestors 'none'"

_templates = Environment(
    loader=PackageLoader("indicator_service.rendering", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class PageContext:
    """Read alongside the report: the municipality's and board's names (None: not
    readable now, the codes are shown) and the procurement measurement of each of the
    year's tertials before the report's (the report's own comes from the report, frozen
    with it once approved)."""

    municipality_name: str | None = None
    board_name: str | None = None
    earlier_procurement: dict[Tertial, PeerReading] = field(default_factory=dict)


class PdfUnavailable(RuntimeError):
    """The PDF renderer's system libraries (pango) are missing on this host."""


def html(report: ComposedReport, context: PageContext) -> str:
    return _templates.get_template("report.html.j2").render(
        r=report,
        page=_page(report, context),
        stylesheet=Markup(STYLESHEET),  # noqa: S704  # the package's own file, hashed into the CSP
        labels=labels,
        n=numbers,
    )


def pdf(page: str) -> bytes:
    """The page printed to A4 by WeasyPrint (its print stylesheet); no network is read."""
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]  # no hints; loads pango
    except OSError as exc:
        raise PdfUnavailable(str(exc)) from exc
    document = HTML(string=page, url_fetcher=_no_fetching)
    return bytes(document.write_pdf())


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the report page reads nothing from {url}")


# --- what the template shows ---------------------------------------------------------------


@dataclass(frozen=True)
class RowView:
    row: ReportRow
    outcome: str
    outcome_note: str
    comparison: str
    verdict: str
    verdict_class: str
    reason: str


@dataclass(frozen=True)
class TableView:
    anchor: str
    caption: str
    heading: str
    rollup: RollUpOut | None
    rows: list[RowView]
    empty: str


def _page(report: ComposedReport, context: PageContext) -> dict[str, Any]:
    indicators = _available(report, "indicators", TertialReport)
    budget = _available(report, "budget", BudgetFollowUp)
    procurement = _available(report, "procurement", ProcurementMeasurement)
    board = context.board_name or report.board_code
    municipality = context.municipality_name or report.municipality_code
    return {
        "title": labels.report_name(report.tertial, report.year),
        "board": board,
        "municipality": municipality,
        "period": labels.period_covered(report.tertial, report.year),
        "indicators": indicators and _indicators(indicators),
        "budget": budget and _budget(budget),
        "procurement": procurement and _procurement(procurement),
        "trend": _trend(report, procurement, context),
        "unavailable": {
            name: labels.unavailable(section.detail)
            for name, section in report.sections.items()
            if section.status != "available"
        },
        "sources": [
            (
                labels.SECTIONS.get(name, name),
                section.source,
                labels.timestamp(section.retrieved_at),
            )
            for name, section in report.sections.items()
        ],
        "approval": _approval(report),
        "assignments": report.assignments,
    }


def _available(report: ComposedReport, name: str, model: type[Any]) -> Any:
    section = report.sections.get(name)
    if section is None or section.status != "available" or section.data is None:
        return None
    return model.model_validate(section.data)


def _approval(report: ComposedReport) -> dict[str, str] | None:
    if not report.approved or report.approval is None:
        return None
    at = dt.datetime.fromisoformat(str(report.approval.get("approved_at")))
    return {
        "reference": str(report.approval.get("decision_reference", "")),
        "by": str(report.approval.get("approved_by", "")),
        "at": labels.timestamp(at),
    }


def _value_text(value: Decimal | None, unit: str) -> str:
    if value is None:
        return numbers.NOTHING
    return f"{numbers.number(value)}{numbers.NBSP}{unit}".rstrip(numbers.NBSP)


def _row_view(row: ReportRow) -> RowView:
    outcome, note = numbers.NOTHING, ""
    if row.outcome is not None:
        outcome = _value_text(row.outcome.value, row.indicator.unit)
        status = labels.VALUE_STATUS[row.outcome.status]
        parts = [row.outcome.period]
        if status:
            parts.append(status)
        if row.outcome.status is not ValueStatus.NORMAL and row.outcome.notation:
            parts.append(row.outcome.notation)
        if row.lagging:
            parts.append("senast kända värde")
        note = ", ".join(parts)
    status = row.evaluation.status
    return RowView(
        row=row,
        outcome=outcome,
        outcome_note=note,
        comparison=_comparison(row),
        verdict=labels.FULFILMENT[status],
        verdict_class=f"verdict-{status.value.replace('_', '-')}",
        reason=reasons.row_reason(row),
    )


def _comparison(row: ReportRow) -> str:
    """The value the outcome was held against, as the rule recorded it."""
    c: Mapping[str, Any] = row.evaluation.compared
    unit = row.indicator.unit
    for value, period in (("reference", "reference_period"), ("base", "base_period")):
        if c.get(value) is not None:
            return f"{_value_text(Decimal(c[value]), unit)} ({c.get(period)})"
    if c.get("required") is not None:
        return f"krävs {_value_text(Decimal(c['required']), unit)}"
    if c.get("target") is not None:
        return f"mål {_value_text(Decimal(c['target']), unit)}"
    if c.get("count") is not None:
        return f"minst {c['count']} tillfällen"
    return numbers.NOTHING


def _indicators(report: TertialReport) -> dict[str, Any]:
    views = [_row_view(row) for row in report.rows]
    tables = []
    for goal in report.council_goals:
        number = int(goal.key)
        rows = [v for v in views if number in v.row.indicator.council_goals]
        tables.append(
            TableView(
                f"mal-{number}",
                f"Mål {number}",
                goal.title,
                goal,
                rows,
                "Nämnden har inga indikatorer under detta mål.",
            )
        )
    loose = [v for v in views if not v.row.indicator.council_goals]
    for area in report.focus_areas:
        rows = [v for v in loose if area.key in v.row.indicator.focus_areas]
        if rows:
            tables.append(TableView(f"fokus-{area.key}", "Fokusområde", area.title, None, rows, ""))
    rest = [v for v in loose if not v.row.indicator.focus_areas]
    if rest:
        tables.append(
            TableView("ovriga", "Övriga indikatorer", "Utan mål eller fokusområde", None, rest, "")
        )
    return {
        "report": report,
        "overall": report.overall,
        "tables": tables,
        "goal_count": len(report.council_goals),
        "goals_chart": charts.fulfilment_stacks(
            "diagram-mal",
            "Måluppfyllelse per kommunfullmäktiges mål",
            [
                Stack(f"Mål {g.key}", f"Mål {g.key}: {g.title}", dict(g.counts))
                for g in report.council_goals
            ],
        ),
        "areas_chart": charts.fulfilment_stacks(
            "diagram-fokusomraden",
            "Måluppfyllelse per fokusområde",
            [Stack(a.title, a.title, dict(a.counts)) for a in report.focus_areas],
        ),
        "fulfilment": list(Fulfilment),
    }


def _budget(follow_up: BudgetFollowUp) -> dict[str, Any]:
    return {
        "follow_up": follow_up,
        "phase": labels.BUDGET_PHASE.get(follow_up.reference_phase, follow_up.reference_phase),
        "chart": charts.deviation_bars(
            "diagram-budgetavvikelse",
            f"Budgetavvikelse per verksamhetsområde ({follow_up.unit})",
            [Bar(row.activity_area_name, row.deviation) for row in follow_up.rows],
            follow_up.unit,
        ),
    }


def _procurement(m: ProcurementMeasurement) -> dict[str, Any]:
    shown = []
    for figure in procurement_figures(m):
        if figure.share:
            value = numbers.share(figure.value)
        elif figure.key.startswith("bidders_per_procurement"):
            value = numbers.number(figure.value, 1) if figure.value is not None else numbers.NOTHING
        else:
            value = numbers.number(figure.value)
        based_on = "" if figure.based_on is None else str(figure.based_on)
        shown.append((figure.label, value, based_on))
    return {
        "m": m,
        "figures": shown,
        "threshold": numbers.number(m.direct_awards.threshold_sek),
        "quality": m.quality,
    }


def _trend(
    report: ComposedReport, current: ProcurementMeasurement | None, context: PageContext
) -> dict[str, Any]:
    """The year's tertials up to the report's: each measurement counts from 1 January."""
    points: list[tuple[Tertial, ProcurementMeasurement | None, str | None]] = []
    for tertial in Tertial:
        if tertial is report.tertial:
            own = report.sections.get("procurement")
            detail = None if current or own is None else own.detail
            points.append((tertial, current, detail))
            break
        section = context.earlier_procurement.get(tertial)
        measured = None
        if section is not None and section.status == "available" and section.data is not None:
            measured = ProcurementMeasurement.model_validate(section.data)
        why = None if measured or section is None else section.detail
        points.append((tertial, measured, why))
    sme = [
        Bar(t.value, m.size_classes.sme_share_of_bidders_with_known_size.value if m else None)
        for t, m, _ in points
    ]
    bidders = [
        Bar(t.value, m.competition.bidders_per_procurement_mean.value if m else None)
        for t, m, _ in points
    ]
    return {
        "points": points,
        "sme_chart": charts.trend_bars(
            "diagram-sme-andel",
            "Andel SME bland anbudsgivare med känd storlek",
            sme,
            charts.shown_or_nothing(numbers.share),
            ceiling=Decimal(1),
        ),
        "bidders_chart": charts.trend_bars(
            "diagram-anbudsgivare",
            "Anbudsgivare per upphandling (medel)",
            bidders,
            charts.shown_or_nothing(lambda v: numbers.number(v, 1)),
        ),
    }
