"""Use cases of the measurement endpoints: which window a request measures, under which
rule, and the figures as the wire shape. Reads only; nothing is written."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.contracts.procurement import ProcurementMeasurement
from municipal_shared.kit.problems import InvalidContent
from municipal_shared.types import Tertial
from procurement_service.measurement import Window, measure
from procurement_service.service import rule_for

TERTIAL_START = {Tertial.T1: (1, 1), Tertial.T2: (5, 1), Tertial.T3: (9, 1)}


def tertial_window(year: int, tertial: Tertial, alone: bool) -> Window:
    """Cumulative from January, or the tertial's four months alone."""
    start = dt.date(year, *TERTIAL_START[tertial]) if alone else dt.date(year, 1, 1)
    return Window(start, tertial.period_end(year))


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
