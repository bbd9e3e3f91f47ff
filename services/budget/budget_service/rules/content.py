"""A version's content in plain form (the VersionContentIn shape without the reason): what is
copied into a successor, compared to spot a replayed write, diffed for the audit log, and
checked against the budget's years before it is stored."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from budget_service.models import BudgetVersion
from budget_service.rules.amounts import by_year, year_errors
from municipal_shared.kit.problems import field_error


def content_of(version: BudgetVersion) -> dict[str, Any]:
    """The version's editable content in the shape of VersionContentIn (without the reason)."""
    return {
        "directive_lines": [
            {
                "kind": line.kind,
                "text": line.text,
                "decision_reference": line.decision_reference,
                "amounts": by_year(line.amounts),
            }
            for line in version.directive_lines
        ],
        "activity_areas": [
            {
                "code": area.code,
                "name": area.name,
                "note": area.note,
                "base_amounts": by_year(area.base_amounts) if area.base_amounts else None,
                "change_lines": [
                    {
                        "heading": line.heading,
                        "kind": line.kind,
                        "text": line.text,
                        "decision_reference": line.decision_reference,
                        "counterparty": line.counterparty,
                        "amounts": by_year(line.amounts),
                    }
                    for line in area.change_lines
                ],
            }
            for area in version.activity_areas
        ],
        "investments": {
            "frame": by_year(version.investment_frame) if version.investment_frame else None,
            "items": [
                {
                    "section": item.section,
                    "heading": item.heading,
                    "name": item.name,
                    "expenditure": {str(a.year): a.expenditure for a in item.amounts},
                    "income": {str(a.year): a.income for a in item.amounts},
                }
                for item in version.investment_items
            ],
        },
    }


def with_explicit_income(content: dict[str, Any]) -> dict[str, Any]:
    """An investment item without income has zero income each year: say so, so content read
    back from the database compares equal to the content that was sent."""
    for item in (content.get("investments") or {}).get("items", []):
        if item.get("income") is None:
            item["income"] = {year: 0 for year in item["expenditure"]}
    return content


def content_year_errors(content: Mapping[str, Any], years: list[int]) -> list[dict[str, str]]:
    """Every per-year map of a version's content, checked against the budget's years."""
    errors: list[dict[str, str]] = []
    for i, line in enumerate(content.get("directive_lines", [])):
        errors += year_errors(line["amounts"], years, f"/directive_lines/{i}/amounts")
    for i, area in enumerate(content.get("activity_areas", [])):
        errors += year_errors(area.get("base_amounts"), years, f"/activity_areas/{i}/base_amounts")
        for j, line in enumerate(area.get("change_lines", [])):
            errors += year_errors(
                line["amounts"], years, f"/activity_areas/{i}/change_lines/{j}/amounts"
            )
    investments = content.get("investments") or {}
    errors += year_errors(investments.get("frame"), years, "/investments/frame")
    for i, item in enumerate(investments.get("items", [])):
        for key in ("expenditure", "income"):
            errors += year_errors(item.get(key), years, f"/investments/items/{i}/{key}")
    for name, amounts in (content.get("control_totals") or {}).items():
        errors += year_errors(amounts, years, f"/control_totals/{name}")
    return errors


def duplicate_area_errors(codes: Iterable[str]) -> list[dict[str, str]]:
    seen: set[str] = set()
    errors = []
    for i, code in enumerate(codes):
        if code in seen:
            errors.append(field_error(f"/activity_areas/{i}/code", f"area {code} appears twice"))
        seen.add(code)
    return errors


def content_errors(content: Mapping[str, Any], years: list[int]) -> list[dict[str, str]]:
    """What keeps content from fitting a budget: years outside or missing, areas given twice."""
    errors = content_year_errors(content, years)
    return errors + duplicate_area_errors(a["code"] for a in content.get("activity_areas", []))
