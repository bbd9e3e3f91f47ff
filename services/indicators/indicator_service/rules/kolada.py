"""Kolada's value shape in and out, for indicators mapped to a Kolada KPI id.

Kolada: {"kpi": "N00945", "municipality": "0580", "period": 2017,
         "values": [{"gender": "T", "count": 1, "status": "", "value": 12.3}]}.
A null value is kept as a missing value (status no_data, Kolada's status text as notation),
never as a zero."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from indicator_service.models import Indicator, Outcome
from indicator_service.schemas import KoladaEntry, KoladaValue, OutcomeItemIn
from indicator_service.vocabulary import ValueStatus
from municipal_shared.kit.problems import field_error, raise_if

SOURCE = "kolada"


def items_from_kolada(
    entries: list[KoladaEntry], municipality_code: str, by_kpi: dict[str, Indicator]
) -> list[OutcomeItemIn]:
    errors = []
    items: list[OutcomeItemIn] = []
    for n, entry in enumerate(entries):
        if entry.municipality != municipality_code:
            errors.append(
                field_error(f"/values/{n}/municipality", f"not this register's {municipality_code}")
            )
            continue
        indicator = by_kpi.get(entry.kpi)
        if indicator is None:
            errors.append(
                field_error(f"/values/{n}/kpi", f"no indicator is mapped to KPI {entry.kpi}")
            )
            continue
        for value in entry.values:
            missing = value.value is None
            items.append(
                OutcomeItemIn(
                    indicator_code=indicator.code,
                    period=str(entry.period),
                    gender=value.gender,
                    source=SOURCE,
                    value=value.value,
                    status=ValueStatus.NO_DATA if missing else ValueStatus.NORMAL,
                    notation=(value.status or None) if missing else None,
                )
            )
    raise_if(errors, "Kolada values do not fit the register")
    return items


def kolada_from_outcomes(
    outcomes: list[Outcome], municipality_code: str, by_id: dict[int, Indicator]
) -> list[KoladaEntry]:
    """Annual current values of Kolada-mapped indicators, one entry per KPI and year."""
    newest: dict[tuple[str, int, str], KoladaValue] = {}
    for outcome in sorted(outcomes, key=lambda o: o.id):  # among sources, the newest wins
        indicator = by_id.get(outcome.indicator_id)
        if indicator is None or indicator.source_ref is None or outcome.tertial is not None:
            continue
        value = None if outcome.value is None else Decimal(outcome.value).normalize()
        newest[(indicator.source_ref, outcome.year, outcome.gender)] = KoladaValue(
            gender=outcome.gender, count=1, status=outcome.notation or "", value=value
        )
    grouped: dict[tuple[str, int], list[KoladaValue]] = defaultdict(list)
    for (kpi, year, _gender), entry in sorted(newest.items()):
        grouped[(kpi, year)].append(entry)
    return [
        KoladaEntry(kpi=kpi, municipality=municipality_code, period=year, values=values)
        for (kpi, year), values in sorted(grouped.items())
    ]
