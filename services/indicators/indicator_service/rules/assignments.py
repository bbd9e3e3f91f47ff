"""Assignments (uppdrag) as plain functions: whether a definition or a follow-up fits the
register, whether a follow-up says anything new, which status a tertial report shows (the
latest up to its tertial, flagged when older), and the report's assignments section."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from indicator_service.rules.register_checks import (
    duplicate_errors,
    period_errors,
    reference_errors,
)
from indicator_service.schemas import AssignmentIn, AssignmentsIn, FollowUpItemIn
from indicator_service.schemas_out import (
    AssignmentCounts,
    AssignmentReportItem,
    AssignmentRollUp,
    AssignmentsSection,
    LinkedFigure,
    OutcomeOut,
)
from indicator_service.vocabulary import NEEDS_REASON, AssignmentStatus
from municipal_shared.kit.problems import field_error, raise_if


class Entry(Protocol):
    """A follow-up entry as stored (the AssignmentFollowUp row), without the ORM."""

    id: int
    period: str
    status: str
    comment: str | None
    status_reason: str | None


FOLLOW_UP_FIELDS = ("status", "comment", "status_reason")


# ---- definitions ---------------------------------------------------------------------------


def check_definitions(
    body: AssignmentsIn, goals: Iterable[int], areas: Iterable[str], indicators: Iterable[str]
) -> None:
    """Refuse (422, every bad field named) assignments that refer to what the register lacks."""
    goals, areas, indicators = set(goals), set(areas), set(indicators)
    errors = duplicate_errors((a.code for a in body.assignments), "/assignments", "code")
    for n, a in enumerate(body.assignments):
        at = f"/assignments/{n}"
        errors += reference_errors(goals, a.council_goals, f"{at}/council_goals", "council goal")
        errors += reference_errors(areas, a.focus_areas, f"{at}/focus_areas", "focus area")
        errors += reference_errors(indicators, a.indicators, f"{at}/indicators", "indicator")
    raise_if(errors, "Assignments do not fit the register")


def definition_of_body(a: AssignmentIn) -> dict[str, Any]:
    return _definition(
        a, a.council_goals, a.focus_areas, a.indicators, a.issued_by.value, a.addressed_to.value
    )


def definition_of_row(a: Any) -> dict[str, Any]:
    """The same shape from a stored Assignment (its links loaded)."""
    return _definition(
        a,
        [g.number for g in a.council_goals],
        [f.code for f in a.focus_areas],
        [i.code for i in a.indicators],
        a.issued_by,
        a.addressed_to,
    )


def _definition(
    a: Any, goals: list[int], areas: list[str], indicators: list[str], issued: str, to: str
) -> dict[str, Any]:
    return {
        "code": a.code,
        "title": a.title,
        "answer": list(a.answer),
        "issued_by": issued,
        "addressed_to": to,
        "council_goals": sorted(goals),
        "focus_areas": list(areas),
        "indicators": list(indicators),
        "figures": list(a.figures),
        "due_date": None if a.due_date is None else a.due_date.isoformat(),
        "due_wording": a.due_wording,
        "responsible": a.responsible,
    }


def definition_changes(
    before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per assignment and field, for the audit log (/assignments/<code>/<field>)."""
    old = {a["code"]: a for a in before}
    changes: list[dict[str, Any]] = []
    for a in after:
        was = old.get(a["code"])
        if was is None:
            changes.append({"path": f"/assignments/{a['code']}", "old": None, "new": a})
            continue
        changes += [
            {"path": f"/assignments/{a['code']}/{key}", "old": was[key], "new": a[key]}
            for key in a
            if was.get(key) != a[key]
        ]
    given = {a["code"] for a in after}
    if [c for c in old if c in given] != [a["code"] for a in after if a["code"] in old]:
        changes.append({"path": "/assignments/order", "old": list(old), "new": list(given)})
    return changes


# ---- follow-up -----------------------------------------------------------------------------


def check_follow_up(
    first_year: int, last_year: int, known: Iterable[str], items: Sequence[FollowUpItemIn]
) -> None:
    """Refuse (422, every bad field named) items for an unknown assignment, a period outside
    the register, a delayed or cancelled status without its reason, or a key given twice."""
    known = set(known)
    errors: list[dict[str, str]] = []
    for n, item in enumerate(items):
        at = f"/items/{n}"
        if item.assignment_code not in known:
            errors.append(
                field_error(f"{at}/assignment_code", f"unknown assignment {item.assignment_code}")
            )
        errors += period_errors(item.period, first_year, last_year, f"{at}/period")
        if item.status in NEEDS_REASON and not (item.status_reason or "").strip():
            errors.append(
                field_error(f"{at}/status_reason", f"status {item.status} needs a reason")
            )
    errors += duplicate_errors(
        (f"{i.assignment_code} {i.period}" for i in items), "/items", "period"
    )
    raise_if(errors, "Follow-up does not fit the register")


def same(current: Entry, item: FollowUpItemIn) -> bool:
    """The item says what the key's current entry says: nothing to record."""
    return all(getattr(current, f) == getattr(item, f) for f in FOLLOW_UP_FIELDS)


def follow_up_change(code: str, old: Entry | None, item: FollowUpItemIn) -> dict[str, Any]:
    """The audit entry's line for one recorded item."""
    return {
        "path": f"/assignments/{code}/follow-up/{item.period}",
        "old": None if old is None else {f: getattr(old, f) for f in FOLLOW_UP_FIELDS},
        "new": {f: getattr(item, f) for f in FOLLOW_UP_FIELDS},
    }


def latest_up_to(entries: Iterable[Entry], period: str) -> Entry | None:
    """The status a report of `period` shows: the newest entry of the latest period up to
    it (tertial periods, YYYY-Tn, sort as text)."""
    eligible = [e for e in entries if e.period <= period]
    return max(eligible, key=lambda e: (e.period, e.id), default=None)


# ---- the report's section -----------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """What the section shows of one assignment (a stored Assignment, shaped)."""

    code: str
    title: str
    council_goals: list[int]
    focus_areas: list[str]
    indicators: list[str]
    figures: list[str]
    href: str


@dataclass(frozen=True)
class Reported:
    """An indicator as the report shows it: the outcome it uses and its period."""

    code: str
    name: str
    unit: str
    fed_by: str | None
    outcome: OutcomeOut | None
    reference_period: str | None


def linked_figures(shown: Shown, reported: Sequence[Reported]) -> list[LinkedFigure]:
    """The values reporting on an assignment: every indicator fed by one of its figures,
    then the indicators linked directly."""
    by_code = {r.code: r for r in reported}
    pairs: list[tuple[str | None, Reported]] = [
        (f, r) for f in shown.figures for r in reported if r.fed_by == f
    ]
    pairs += [(None, by_code[c]) for c in shown.indicators if c in by_code]
    return [
        LinkedFigure(
            figure=figure,
            indicator_code=r.code,
            indicator_name=r.name,
            unit=r.unit,
            outcome=r.outcome,
            reference_period=r.reference_period,
        )
        for figure, r in pairs
    ]


def report_item(
    shown: Shown, latest: Entry | None, period: str, reported: Sequence[Reported]
) -> AssignmentReportItem:
    return AssignmentReportItem(
        code=shown.code,
        title=shown.title,
        council_goals=shown.council_goals,
        focus_areas=shown.focus_areas,
        status=None if latest is None else AssignmentStatus(latest.status),
        status_period=None if latest is None else latest.period,
        comment=None if latest is None else latest.comment,
        status_reason=None if latest is None else latest.status_reason,
        not_updated=latest is None or latest.period != period,
        linked_figures=linked_figures(shown, reported),
        href=shown.href,
    )


def counts(items: Iterable[AssignmentReportItem]) -> AssignmentCounts:
    items = list(items)
    by_status = Counter(i.status for i in items)
    return AssignmentCounts(
        not_started=by_status[AssignmentStatus.NOT_STARTED],
        ongoing=by_status[AssignmentStatus.ONGOING],
        done=by_status[AssignmentStatus.DONE],
        delayed=by_status[AssignmentStatus.DELAYED],
        cancelled=by_status[AssignmentStatus.CANCELLED],
        no_status=by_status[None],
        not_updated=sum(i.not_updated for i in items),
        total=len(items),
    )


def section(
    period: str,
    items: list[AssignmentReportItem],
    goals: Iterable[tuple[int, str]],
    areas: Iterable[tuple[str, str]],
) -> AssignmentsSection:
    """Counts over all assignments and per council goal and focus area (an assignment counts
    under every goal and area it serves)."""
    return AssignmentsSection(
        period=period,
        counts=counts(items),
        council_goals=[
            AssignmentRollUp(
                key=str(number),
                title=title,
                counts=counts(i for i in items if number in i.council_goals),
            )
            for number, title in goals
        ],
        focus_areas=[
            AssignmentRollUp(
                key=code, title=name, counts=counts(i for i in items if code in i.focus_areas)
            )
            for code, name in areas
        ],
        items=items,
    )
