"""The budget's rules as plain functions: which years an amount may name, how a version may
follow another, what a total must be, what changed. Tested without HTTP or a database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from budget_service.vocabulary import Phase, VersionStatus
from municipal_shared.kit.problems import Conflict, InvalidContent, field_error

YearMap = Mapping[str, int]


def year_errors(amounts: YearMap | None, years: list[int], pointer: str) -> list[dict[str, str]]:
    """Amounts must name every year of the budget and no other (an unshown year is a 0)."""
    if amounts is None:
        return []
    expected = {str(y) for y in years}
    errors = [
        field_error(f"{pointer}/{key}", f"year {key} is outside the budget's years {years}")
        for key in sorted(set(amounts) - expected)
    ]
    missing = sorted(expected - set(amounts))
    if missing:
        errors.append(field_error(pointer, f"amounts missing for year(s) {', '.join(missing)}"))
    return errors


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


def with_explicit_income(content: dict[str, Any]) -> dict[str, Any]:
    """An investment item without income has zero income each year: say so, so content read
    back from the database compares equal to the content that was sent."""
    for item in (content.get("investments") or {}).get("items", []):
        if item.get("income") is None:
            item["income"] = {year: 0 for year in item["expenditure"]}
    return content


def duplicate_area_errors(codes: Iterable[str]) -> list[dict[str, str]]:
    seen: set[str] = set()
    errors = []
    for i, code in enumerate(codes):
        if code in seen:
            errors.append(field_error(f"/activity_areas/{i}/code", f"area {code} appears twice"))
        seen.add(code)
    return errors


def difference(left: YearMap, right: YearMap) -> dict[str, int]:
    """left minus right per year; "of which change" is proposal minus directive."""
    return {year: left.get(year, 0) - right.get(year, 0) for year in sorted({*left, *right})}


def control_total_errors(
    claimed: Mapping[str, YearMap | None], computed: Mapping[str, YearMap]
) -> list[dict[str, str]]:
    errors = []
    for name, amounts in claimed.items():
        if amounts is None:
            continue
        for year, value in sorted(amounts.items()):
            actual = computed[name].get(year, 0)
            if value != actual:
                errors.append(
                    field_error(
                        f"/control_totals/{name}/{year}",
                        f"{name} {year} is {actual} from the lines, not {value}",
                        "sum-mismatch",
                    )
                )
    return errors


def frame_excess_errors(frame: YearMap | None, within_frame_net: YearMap) -> list[dict[str, str]]:
    """Investments within the frame may not exceed it; what does is a request beyond frame."""
    if frame is None:
        return []
    return [
        field_error(
            "/investments/items",
            f"investments within frame {year} are {net}, above the frame {frame.get(year, 0)}; "
            "put the excess under beyond_frame",
            "frame-exceeded",
        )
        for year, net in sorted(within_frame_net.items())
        if net > frame.get(year, 0)
    ]


def ensure_editable(number: int, status: str) -> None:
    if status == VersionStatus.DECIDED:
        raise Conflict(
            f"Version {number} is decided and locked; create a revision to change it",
            version=number,
        )


def successor_kind(head_number: int, head_phase: Phase, head_status: str, phase: Phase) -> str:
    """How a new version may follow the head: 'revision' (same phase, supersedes the decided
    head) or 'next_phase'. The head must be decided: a draft is edited, not succeeded."""
    if head_status != VersionStatus.DECIDED:
        raise Conflict(
            f"Version {head_number} is still a draft: decide it (or edit it) first",
            version=head_number,
        )
    if phase.order < head_phase.order:
        raise InvalidContent(
            f"Phase {phase} comes before the head's phase {head_phase}",
            field="/phase",
        )
    return "revision" if phase == head_phase else "next_phase"


def deviation(budget: int | Decimal, forecast: Decimal | None) -> Decimal | None:
    """Budget minus forecast: positive is a surplus (the sign ERPNext's variance report uses)."""
    if forecast is None:
        return None
    return Decimal(budget) - forecast


def changes_between(before: Any, after: Any, path: str = "") -> list[dict[str, Any]]:
    """A compact diff of two JSON-like values for the audit log. Lists of dicts are matched by
    position; leaves that differ are reported with their old and new value, so an added line
    shows each of its fields."""
    if before is None and isinstance(after, Mapping | list):
        before = type(after)()
    if after is None and isinstance(before, Mapping | list):
        after = type(before)()
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        out: list[dict[str, Any]] = []
        for key in sorted({*before, *after}, key=str):
            out += changes_between(before.get(key), after.get(key), f"{path}/{key}")
        return out
    if isinstance(before, list) and isinstance(after, list):
        out = []
        for i in range(max(len(before), len(after))):
            old = before[i] if i < len(before) else None
            new = after[i] if i < len(after) else None
            out += changes_between(old, new, f"{path}/{i}")
        return out
    if before == after:
        return []
    return [{"path": path or "/", "old": before, "new": after}]
