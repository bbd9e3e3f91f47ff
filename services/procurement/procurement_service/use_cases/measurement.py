"""Use cases of the measurement: the figures of a tertial or any date range under the
municipality's employment-requirement rule, and setting that rule. Reading writes nothing and
sums the per-day summary; setting the rule rebuilds the municipality's summary under the new
rule, records an audit entry and commits once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.contracts.procurement import ProcurementMeasurement
from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.database import commit
from municipal_shared.kit.documents import Rendered
from municipal_shared.kit.problems import InvalidContent
from municipal_shared.types import Tertial
from procurement_service import repository as repo
from procurement_service.models import AuditEntry, EmploymentRule
from procurement_service.repository import measurement as counts
from procurement_service.repository import measurement_scan, summary
from procurement_service.rules.measurement import (
    Figures,
    Rule,
    Window,
    figures_of,
    tertial_window,
)


async def measure(
    session: AsyncSession,
    municipality_code: str,
    window: Window,
    rule: Rule,
    administration: str | None = None,
) -> Figures:
    """The figures of a window, summed from the summary (also what the delivery sends). The
    summary counts under the municipality's stored rule; another rule (no caller passes one
    today) is answered by the full scan, slow but exact."""
    if rule != await rule_for(session, municipality_code):
        return await measurement_scan.scan_figures(
            session, municipality_code, window.start, window.end, administration, rule
        )
    scope = counts.Scope(municipality_code, administration, window.start, window.end)
    return figures_of(await counts.summed_counts(session, scope), rule)


async def rule_for(session: AsyncSession, municipality_code: str) -> Rule:
    """The municipality's employment-requirement rule, or Linköping's as the default."""
    stored = await repo.employment_rule(session, municipality_code)
    if stored is None:
        return Rule()
    return Rule(
        tuple(stored.categories),
        stored.min_execution_days,
        stored.min_employees,
        stored.direct_award_threshold_sek,
    )


async def _measurement(
    session: AsyncSession,
    municipality_code: str,
    label: str,
    window: Window,
    administration: str | None,
) -> ProcurementMeasurement:
    rule = await rule_for(session, municipality_code)
    figures = await measure(session, municipality_code, window, rule, administration)
    return ProcurementMeasurement(
        municipality_code=municipality_code,
        administration=administration,
        period=label,
        start=window.start,
        end=window.end,
        competition=figures.competition,
        size_classes=figures.size_classes,
        employment_requirement=figures.employment_requirement,
        direct_awards=figures.direct_awards,
        quality=figures.quality,
    )


async def tertial_measurement(
    session: AsyncSession,
    municipality_code: str,
    year: int,
    tertial: Tertial,
    alone: bool,
    administration: str | None,
) -> ProcurementMeasurement:
    """Cumulative from January, or (`alone`) the tertial's four months."""
    label = f"{year}-{tertial}" + (" (four months)" if alone else "")
    window = tertial_window(year, tertial, alone)
    return await _measurement(session, municipality_code, label, window, administration)


async def tertial_document(
    session: AsyncSession,
    municipality_code: str,
    year: int,
    tertial: Tertial,
    alone: bool,
    administration: str | None,
) -> Rendered:
    """The tertial measurement as the bytes to serve and store (kit/document_store.py)."""
    figures = await tertial_measurement(
        session, municipality_code, year, tertial, alone, administration
    )
    return Rendered.of(figures)


async def range_document(
    session: AsyncSession,
    municipality_code: str,
    start: dt.date,
    end: dt.date,
    administration: str | None,
) -> Rendered:
    figures = await range_measurement(session, municipality_code, start, end, administration)
    return Rendered.of(figures)


async def range_measurement(
    session: AsyncSession,
    municipality_code: str,
    start: dt.date,
    end: dt.date,
    administration: str | None,
) -> ProcurementMeasurement:
    if end < start:
        raise InvalidContent("`to` is before `from`", field="/to")
    label = f"{start}/{end}"
    return await _measurement(session, municipality_code, label, Window(start, end), administration)


async def set_employment_rule(
    session: AsyncSession,
    actor: str,
    municipality_code: str,
    categories: list[str],
    more_than_days: int,
    min_employees: int,
    direct_award_threshold_sek: Decimal,
) -> None:
    """The rule, and the municipality's summary rebuilt under it, in one transaction that
    holds the municipality's summary lock exclusively (repository/summary.py says why)."""
    await summary.lock_municipality(session, municipality_code, exclusive=True)
    stored = await repo.employment_rule(session, municipality_code) or EmploymentRule(
        municipality_code=municipality_code
    )
    stored.categories = categories
    stored.min_execution_days, stored.min_employees = more_than_days, min_employees
    stored.direct_award_threshold_sek = direct_award_threshold_sek
    session.add(stored)
    record_audit(
        session,
        AuditEntry,
        actor=actor,
        action="employment_rule.set",
        target=municipality_code,
        reason="Regel för sysselsättningskrav",
        changes=[
            {
                "path": "/employment_rule",
                "old": None,
                "new": {
                    "categories": categories,
                    "more_than_days": more_than_days,
                    "min_employees": min_employees,
                    "direct_award_threshold_sek": str(direct_award_threshold_sek),
                },
            }
        ],
        municipality_code=municipality_code,
    )
    rule = Rule(tuple(categories), more_than_days, min_employees, direct_award_threshold_sek)
    await summary.rebuild(session, municipality_code, rule)
    await commit(session)
