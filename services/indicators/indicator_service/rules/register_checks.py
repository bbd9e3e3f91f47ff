"""Checks of a register body and of outcome values, as plain functions: periods inside the
register, values their unit allows, references that exist, bands with their source. Each
returns the field errors it found; the use case refuses with all of them at once (kit
problems.raise_if). Goal fulfilment itself lives in evaluation.py."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from municipal_shared.kit.problems import field_error
from municipal_shared.types import split_period

PERCENT_UNITS = {"%", "procent"}


def period_errors(
    period: str, first_year: int, last_year: int, pointer: str
) -> list[dict[str, str]]:
    year, _ = split_period(period)
    if first_year <= year <= last_year:
        return []
    return [
        field_error(pointer, f"period {period} is outside the register's {first_year}-{last_year}")
    ]


def value_errors(unit: str, value: Decimal | None, pointer: str) -> list[dict[str, str]]:
    """A share in per cent lies between 0 and 100."""
    if value is None or unit.strip().lower() not in PERCENT_UNITS:
        return []
    if Decimal(0) <= value <= Decimal(100):
        return []
    return [field_error(pointer, f"{value} is not a percentage between 0 and 100", "out-of-range")]


def reference_errors(
    known: Iterable[Any], used: Iterable[Any], pointer: str, what: str
) -> list[dict[str, str]]:
    known_set = set(known)
    return [
        field_error(f"{pointer}/{i}", f"unknown {what} {ref}")
        for i, ref in enumerate(used)
        if ref not in known_set
    ]


def duplicate_errors(values: Iterable[Any], pointer: str, field: str) -> list[dict[str, str]]:
    seen: set[Any] = set()
    errors = []
    for i, value in enumerate(values):
        if value in seen:
            errors.append(field_error(f"{pointer}/{i}/{field}", f"{value} appears twice"))
        seen.add(value)
    return errors


def band_errors(
    percent: Decimal | None, source: str | None, pointer: str, percent_field: str, source_field: str
) -> list[dict[str, str]]:
    """A tolerance band carries its stated source, and a source belongs to a band: a band
    nobody can trace to a decision was never decided."""
    if percent is not None and source is None:
        return [
            field_error(
                f"{pointer}/{source_field}",
                f"a band ({percent_field}) needs its stated source, e.g. the decision that set it",
                "missing",
            )
        ]
    if percent is None and source is not None:
        return [field_error(f"{pointer}/{percent_field}", f"{source_field} is given but no band")]
    return []


def register_errors(body: dict[str, Any]) -> list[dict[str, str]]:
    """Everything about a whole register that a field validator cannot see alone."""
    first, last = body["first_year"], body["last_year"]
    goals = [g["number"] for g in body["council_goals"]]
    areas = [a["code"] for a in body["focus_areas"]]
    errors = duplicate_errors(goals, "/council_goals", "number")
    errors += duplicate_errors(areas, "/focus_areas", "code")
    errors += duplicate_errors((i["code"] for i in body["indicators"]), "/indicators", "code")
    if first > last:
        errors.append(field_error("/last_year", "last_year is before first_year"))
    errors += band_errors(
        body.get("default_tolerance_percent"),
        body.get("default_tolerance_source"),
        "",
        "default_tolerance_percent",
        "default_tolerance_source",
    )
    for a, area in enumerate(body["focus_areas"]):
        errors += reference_errors(
            goals, area["council_goals"], f"/focus_areas/{a}/council_goals", "council goal"
        )
    for n, ind in enumerate(body["indicators"]):
        at = f"/indicators/{n}"
        errors += band_errors(
            ind.get("tolerance_percent"),
            ind.get("tolerance_source"),
            at,
            "tolerance_percent",
            "tolerance_source",
        )
        errors += reference_errors(
            goals, ind["council_goals"], f"{at}/council_goals", "council goal"
        )
        errors += reference_errors(areas, ind["focus_areas"], f"{at}/focus_areas", "focus area")
        errors += duplicate_errors((t["year"] for t in ind["targets"]), f"{at}/targets", "year")
        for t, target in enumerate(ind["targets"]):
            if not first <= target["year"] <= last:
                errors.append(field_error(f"{at}/targets/{t}/year", "year outside the register"))
            errors += value_errors(ind["unit"], target.get("value"), f"{at}/targets/{t}/value")
        for o, outcome in enumerate(ind["outcomes"]):
            errors += period_errors(outcome["period"], first, last, f"{at}/outcomes/{o}/period")
            errors += value_errors(ind["unit"], outcome.get("value"), f"{at}/outcomes/{o}/value")
    return errors
