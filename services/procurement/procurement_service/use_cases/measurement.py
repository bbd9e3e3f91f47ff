"""Use cases of the measurement: the figures of a tertial or any date range under the
municipality's employment-requirement rule, and setting that rule. Reading writes nothing;
setting the rule records an audit entry and commits once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.contracts.procurement import ProcurementMeasurement, QualityCount
from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.database import commit
from municipal_shared.kit.problems import InvalidContent
from municipal_shared.types import Tertial
from procurement_service import repository as repo
from procurement_service.models import AuditEntry, EmploymentRule
from procurement_service.repository import measurement as counts
from procurement_service.rules.measurement import (
    Figures,
    Rule,
    Window,
    competition,
    direct_awards,
    employment_requirement,
    size_classes,
    tertial_window,
)


async def measure(
    session: AsyncSession,
    municipality_code: str,
    window: Window,
    rule: Rule,
    administration: str | None = None,
) -> Figures:
    """The figures of a window, from the database's counts (also what the delivery sends)."""
    scope = counts.Scope(municipality_code, administration, window.start, window.end)
    employment = await counts.employment(
        session, scope, rule.categories, rule.min_execution_days, rule.min_employees
    )
    return Figures(
        competition=competition(await counts.competition(session, scope)),
        size_classes=size_classes(await counts.size_classes(session, scope)),
        employment_requirement=employment_requirement(employment, rule),
        direct_awards=direct_awards(
            await counts.direct_awards(session, scope, rule.direct_award_threshold_sek), rule
        ),
        quality=[
            QualityCount(code=c, procurements=n) for c, n in await counts.quality(session, scope)
        ],
    )


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
    await commit(session)
