"""Outcome intake as plain functions: where each delivered item lands (its indicator, or every
indicator fed by its figure), whether the items fit the register, whether an item differs
from its key's current value, and the content hash an Idempotency-Key is bound to."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from indicator_service.models import Indicator, Outcome, Register
from indicator_service.rules.register_checks import period_errors, value_errors
from indicator_service.rules.register_definition import number
from indicator_service.schemas import OutcomeIn, OutcomeItemIn
from municipal_shared.kit.problems import field_error, raise_if

OUTCOME_FIELDS = ("value", "status", "notation", "comment", "analysis")

Routed = list[tuple[int, str, OutcomeItemIn]]


def route(indicators: dict[str, Indicator], items: list[OutcomeItemIn]) -> tuple[Routed, list[str]]:
    """Each item with its position and the code of every indicator it lands on: its own
    code, or every indicator the register's definition declares fed by its figure. Also the
    figures no indicator declares."""
    fed: dict[str, list[str]] = {}
    for indicator in indicators.values():
        if indicator.fed_by:
            fed.setdefault(indicator.fed_by, []).append(indicator.code)
    routed: Routed = []
    unused: list[str] = []
    for n, item in enumerate(items):
        if item.indicator_code is not None:
            routed.append((n, item.indicator_code, item))
        elif item.figure in fed:
            routed += [(n, code, item) for code in fed[item.figure]]
        elif item.figure is not None and item.figure not in unused:
            unused.append(item.figure)
    return routed, unused


def check_items(register: Register, indicators: dict[str, Indicator], items: Routed) -> None:
    """Refuse (422, every bad field named) items that do not fit the register."""
    errors: list[dict[str, str]] = []
    for n, code, item in items:
        at = f"/items/{n}"
        indicator = indicators.get(code)
        if indicator is None:
            errors.append(field_error(f"{at}/indicator_code", f"unknown indicator {code}"))
            continue
        errors += period_errors(
            item.period, register.first_year, register.last_year, f"{at}/period"
        )
        errors += value_errors(indicator.unit, item.value, f"{at}/value")
    seen: set[tuple[str, str, str, str]] = set()
    for n, code, item in items:
        key = (code, item.period, item.gender, item.source)
        if key in seen:
            errors.append(
                field_error(f"/items/{n}", "the same indicator, period, gender and source twice")
            )
        seen.add(key)
    raise_if(errors, "Outcomes do not fit the register")


def same(current: Outcome, item: OutcomeIn) -> bool:
    """The item says what the key's current row says: nothing to record."""
    return all(
        getattr(current, f) == getattr(item, f) for f in OUTCOME_FIELDS if f != "value"
    ) and (
        (current.value is None and item.value is None)
        or (
            current.value is not None
            and item.value is not None
            and Decimal(current.value) == item.value
        )
    )


def outcome_change(code: str, old: Outcome | None, item: OutcomeItemIn) -> dict[str, Any]:
    """The audit entry's line for one recorded item: its key, the value before and after."""
    return {
        "path": f"/indicators/{code}/outcomes/{item.period}/{item.gender}/{item.source}",
        "old": None if old is None else {"value": number(old.value), "status": old.status},
        "new": {"value": number(item.value), "status": str(item.status)},
    }


def request_hash(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def items_hash(items: list[OutcomeItemIn]) -> str:
    """What an Idempotency-Key is bound to: the items' content."""
    return request_hash([_hashed(i) for i in items])


def _hashed(item: OutcomeItemIn) -> dict[str, Any]:
    # Without an absent figure, so an item addressed by code hashes as it did before figures
    # existed and a redelivery of an older message is still recognised as the same.
    body = item.model_dump(mode="json")
    if body["figure"] is None:
        del body["figure"]
    return body
