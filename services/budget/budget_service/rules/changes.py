"""What changed, for the audit log: a compact diff of two JSON-like values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


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
