"""A register's definition as one comparable document (the same shape from a request body and
from the stored rows), and what changed between two of them, per field. Loading a register
compares the two: an equal definition is no change (no ETag needed, no audit entry), and a
different one is audited field by field (/indicators/personalomsattning/tolerance_percent)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from indicator_service.models import CouncilGoal, FocusArea, Indicator, Register
from indicator_service.schemas import RegisterIn


def number(value: Decimal | None) -> str | None:
    """A decimal as it is compared and audited: plain text, no trailing zeros."""
    return None if value is None else format(value.normalize(), "f")


def target_dict(target: Any) -> dict[str, Any]:
    """A target (stored or requested) as compared: equal dicts mean the same target."""
    return {
        "year": target.year,
        "kind": str(target.kind),
        "wording": target.wording,
        "footnote": target.footnote,
        "value": number(target.value),
        "baseline_year": target.baseline_year,
        "baseline_value": number(target.baseline_value),
        "percent": number(target.percent),
        "count": target.count,
    }


def _indicator_dict(ind: Any, goals: list[int], areas: list[str]) -> dict[str, Any]:
    return {
        "code": ind.code,
        "name": ind.name,
        "unit": ind.unit,
        "group": getattr(ind, "group_name", getattr(ind, "group", None)),
        "polarity": str(ind.polarity),
        "definition": ind.definition,
        "source_kind": str(ind.source_kind),
        "source_ref": ind.source_ref,
        "update_frequency": str(ind.update_frequency),
        "fed_by": ind.fed_by,
        "tolerance_percent": number(ind.tolerance_percent),
        "tolerance_source": ind.tolerance_source,
        "council_goals": goals,
        "focus_areas": areas,
        "footnotes": list(ind.footnotes),
        "targets": [target_dict(t) for t in sorted(ind.targets, key=lambda t: t.year)],
    }


def definition_of_body(body: RegisterIn) -> dict[str, Any]:
    return {
        "name": body.name,
        "first_year": body.first_year,
        "last_year": body.last_year,
        "default_tolerance_percent": number(body.default_tolerance_percent),
        "default_tolerance_source": body.default_tolerance_source,
        "council_goals": [g.model_dump() for g in body.council_goals],
        "focus_areas": [a.model_dump() for a in body.focus_areas],
        "indicators": [_indicator_dict(i, i.council_goals, i.focus_areas) for i in body.indicators],
    }


def definition_of_rows(
    register: Register,
    goals: list[CouncilGoal],
    areas: list[FocusArea],
    indicators: list[Indicator],
) -> dict[str, Any]:
    return {
        "name": register.name,
        "first_year": register.first_year,
        "last_year": register.last_year,
        "default_tolerance_percent": number(register.default_tolerance_percent),
        "default_tolerance_source": register.default_tolerance_source,
        "council_goals": [
            {"number": g.number, "title": g.title, "board_linked": g.board_linked} for g in goals
        ],
        "focus_areas": [
            {
                "code": a.code,
                "name": a.name,
                "description": a.description,
                "council_goals": [g.number for g in a.council_goals],
            }
            for a in areas
        ],
        "indicators": [
            _indicator_dict(i, [g.number for g in i.council_goals], [a.code for a in i.focus_areas])
            for i in indicators
        ],
    }


def definition_changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    changes = [
        {"path": f"/{key}", "old": before.get(key), "new": after[key]}
        for key in after
        if key != "indicators" and before.get(key) != after[key]
    ]
    return changes + _indicator_changes(before.get("indicators", []), after["indicators"])


def _indicator_changes(
    before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per indicator and field (e.g. /indicators/personalomsattning/tolerance_percent), so the
    audit log shows which setting changed rather than the whole list twice."""
    old = {i["code"]: i for i in before}
    changes: list[dict[str, Any]] = []
    for ind in after:
        was = old.get(ind["code"])
        if was is None:
            changes.append({"path": f"/indicators/{ind['code']}", "old": None, "new": ind})
            continue
        changes += [
            {"path": f"/indicators/{ind['code']}/{key}", "old": was.get(key), "new": ind[key]}
            for key in ind
            if was.get(key) != ind[key]
        ]
    # Indicators left out of a body are kept, so only the order of the common ones can change.
    given = {i["code"] for i in after}
    order_before = [i["code"] for i in before if i["code"] in given]
    order_after = [i["code"] for i in after if i["code"] in old]
    if order_before != order_after:
        changes.append({"path": "/indicators", "old": order_before, "new": order_after})
    return changes
