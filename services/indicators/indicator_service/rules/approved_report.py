"""The composed report as approved: it is approved whole or not at all, and once approved,
later reads return the snapshot with every figure that changed since, old and new value."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from indicator_service.schemas_out import Change, ComposedReport


class ApprovalRecord(Protocol):
    """What an approval stores (the ReportApproval row), without the ORM."""

    decision_reference: str
    approved_by: str
    approved_at: dt.datetime
    snapshot: dict[str, Any]


def approval_blockers(live: ComposedReport) -> list[str]:
    """A report is approved whole or not at all: every section must have been read."""
    return [name for name, section in live.sections.items() if section.status != "available"]


def frozen(approval: ApprovalRecord, live: ComposedReport) -> ComposedReport:
    """The snapshot as approved, with every figure that differs in the live report now.
    A section unavailable now is not compared: its absence is not a change."""
    snapshot = ComposedReport.model_validate(approval.snapshot)
    snapshot.approved = True
    snapshot.approval = {
        "decision_reference": approval.decision_reference,
        "approved_by": approval.approved_by,
        "approved_at": approval.approved_at.isoformat(),
    }
    now = {k: s.data for k, s in live.sections.items() if s.status == "available"}
    then = {k: s.data for k, s in snapshot.sections.items() if k in now}
    found = changes(then, now)
    # The assignments as approved stay; their later statuses are listed like other figures.
    # A report approved before assignments were kept has none to compare.
    if snapshot.assignments is not None and live.assignments is not None:
        found += changes(
            snapshot.assignments.model_dump(mode="json"),
            live.assignments.model_dump(mode="json"),
            "/assignments",
        )
    snapshot.changes_since_approval = found
    return snapshot


# Bookkeeping, not figures: when a section was read or written, and row identifiers.
NOT_FIGURES = frozenset(
    {"generated_at", "updated_at", "retrieved_at", "recorded_at", "href", "id", "replaces_id"}
)


def _identity(item: Any) -> str | None:
    """What names a list item across reads: an activity area, an indicator, a goal."""
    if not isinstance(item, dict):
        return None
    for key in ("activity_area_code", "code", "key"):
        if isinstance(item.get(key), str):
            return str(item[key])
    nested = item.get("indicator")
    if isinstance(nested, dict) and isinstance(nested.get("code"), str):
        return str(nested["code"])
    return None


def _by_identity(items: list[Any]) -> dict[str, Any] | None:
    names = [_identity(item) for item in items]
    keys = [name for name in names if name is not None]  # as str, for the dict's type
    if len(keys) != len(names) or len(set(keys)) != len(keys):
        return None
    return dict(zip(keys, items, strict=True))


def changes(old: Any, new: Any, path: str = "") -> list[Change]:
    """Every figure that differs, with its old and new value. Items of a list are matched by
    what names them (/budget/rows/naringsliv/deviation), so a row added or moved does not
    make every row after it look changed; by position when nothing names them."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[Change] = []
        for key in sorted({*old, *new}, key=str):
            if key not in NOT_FIGURES:
                out += changes(old.get(key), new.get(key), f"{path}/{key}")
        return out
    if isinstance(old, list) and isinstance(new, list):
        keyed_old, keyed_new = _by_identity(old), _by_identity(new)
        if keyed_old is not None and keyed_new is not None:
            names = [*keyed_old, *(name for name in keyed_new if name not in keyed_old)]
            pairs = [(name, keyed_old.get(name), keyed_new.get(name)) for name in names]
        else:
            pairs = [
                (str(i), old[i] if i < len(old) else None, new[i] if i < len(new) else None)
                for i in range(max(len(old), len(new)))
            ]
        out = []
        for name, before, after in pairs:
            out += changes(before, after, f"{path}/{name}")
        return out
    return [] if old == new else [Change(path=path or "/", old=old, new=new)]
