"""Use cases of the indicator service. Each validates, writes, records an audit entry and
commits once; an error anywhere rolls the whole use case back."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service import repository as repo
from indicator_service import rules
from indicator_service.models import (
    Assessment,
    AuditEntry,
    CouncilGoal,
    FocusArea,
    IdempotencyRecord,
    Indicator,
    Outcome,
    Register,
    Target,
)
from indicator_service.schemas import OutcomeIn, RegisterIn
from indicator_service.schemas_intake import AssessmentIn, OutcomeBatchResult, OutcomeItemIn
from indicator_service.target_kinds import KINDS
from indicator_service.vocabulary import TargetKind
from municipal_shared.kit.concurrency import check_if_match, make_etag
from municipal_shared.kit.database import commit, utc_now
from municipal_shared.kit.problems import InvalidContent, NotFound
from municipal_shared.types import split_period

OUTCOME_FIELDS = ("value", "status", "notation", "comment", "analysis")


def register_etag(register: Register) -> str:
    return make_etag("register", register.id, register.row_version)


def _audit(
    session: AsyncSession,
    register: Register,
    actor: str,
    action: str,
    target: str,
    reason: str,
    changes: list[dict[str, Any]],
) -> None:
    session.add(
        AuditEntry(
            register_id=register.id,
            actor=actor,
            action=action,
            target=target,
            reason=reason,
            changes=changes,
        )
    )


async def find_register(session: AsyncSession, municipality_code: str, board_code: str) -> Register:
    register = await repo.get_register(session, municipality_code, board_code)
    if register is None:
        raise NotFound(f"No indicator register for {municipality_code}/{board_code}")
    return register


async def find_indicator(session: AsyncSession, register: Register, code: str) -> Indicator:
    indicator = await repo.get_indicator(session, register.id, code)
    if indicator is None:
        raise NotFound(f"Register has no indicator {code}")
    return indicator


# ---- the register's definition -----------------------------------------------------------


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _target_dict(target: Any) -> dict[str, Any]:
    return {
        "year": target.year,
        "kind": str(target.kind),
        "wording": target.wording,
        "footnote": target.footnote,
        "value": _number(target.value),
        "baseline_year": target.baseline_year,
        "baseline_value": _number(target.baseline_value),
        "percent": _number(target.percent),
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
        "tolerance_percent": _number(ind.tolerance_percent),
        "tolerance_source": ind.tolerance_source,
        "council_goals": goals,
        "focus_areas": areas,
        "footnotes": list(ind.footnotes),
        "targets": [_target_dict(t) for t in sorted(ind.targets, key=lambda t: t.year)],
    }


def definition_of_body(body: RegisterIn) -> dict[str, Any]:
    return {
        "name": body.name,
        "first_year": body.first_year,
        "last_year": body.last_year,
        "default_tolerance_percent": _number(body.default_tolerance_percent),
        "default_tolerance_source": body.default_tolerance_source,
        "council_goals": [g.model_dump() for g in body.council_goals],
        "focus_areas": [a.model_dump() for a in body.focus_areas],
        "indicators": [_indicator_dict(i, i.council_goals, i.focus_areas) for i in body.indicators],
    }


async def definition_of(session: AsyncSession, register: Register) -> dict[str, Any]:
    goals = await repo.council_goals(session, register.id)
    areas = await repo.focus_areas(session, register.id)
    indicators = await repo.indicators_by_code(session, register.id)
    return {
        "name": register.name,
        "first_year": register.first_year,
        "last_year": register.last_year,
        "default_tolerance_percent": _number(register.default_tolerance_percent),
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
            for i in indicators.values()
        ],
    }


async def _write_definition(session: AsyncSession, register: Register, body: RegisterIn) -> None:
    """Upsert goals, focus areas, indicators and their targets by their natural keys.
    Indicators missing from the body are kept: their history must stay readable."""
    register.name, register.first_year, register.last_year = (
        body.name,
        body.first_year,
        body.last_year,
    )
    register.default_tolerance_percent = body.default_tolerance_percent
    register.default_tolerance_source = body.default_tolerance_source
    register.updated_at = utc_now()
    goals = {g.number: g for g in await repo.council_goals(session, register.id)}
    for g in body.council_goals:
        goal = goals.get(g.number) or CouncilGoal(register_id=register.id, number=g.number)
        goal.title, goal.board_linked = g.title, g.board_linked
        goals[g.number] = goal
        session.add(goal)
    areas = {a.code: a for a in await repo.focus_areas(session, register.id)}
    for position, a in enumerate(body.focus_areas, start=1):
        area = areas.get(a.code) or FocusArea(register_id=register.id, code=a.code)
        area.position, area.name, area.description = position, a.name, a.description
        area.council_goals = [goals[n] for n in a.council_goals]
        areas[a.code] = area
        session.add(area)
    existing = await repo.indicators_by_code(session, register.id)
    for position, i in enumerate(body.indicators, start=1):
        ind = existing.get(i.code) or Indicator(register_id=register.id, code=i.code, targets=[])
        ind.position, ind.name, ind.unit, ind.group_name = position, i.name, i.unit, i.group
        ind.polarity, ind.definition = i.polarity, i.definition
        ind.source_kind, ind.source_ref = i.source_kind, i.source_ref
        ind.update_frequency, ind.fed_by = i.update_frequency, i.fed_by
        ind.tolerance_percent, ind.tolerance_source = i.tolerance_percent, i.tolerance_source
        ind.footnotes = list(i.footnotes)
        ind.council_goals = [goals[n] for n in i.council_goals]
        ind.focus_areas = [areas[c] for c in i.focus_areas]
        if [_target_dict(t) for t in ind.targets] != [_target_dict(t) for t in i.targets]:
            ind.targets.clear()
            await session.flush()  # delete before insert: (indicator, year) is unique
            ind.targets = [Target(**t.model_dump()) for t in i.targets]
        session.add(ind)
    await session.flush()


async def load_register(
    session: AsyncSession, actor: str, body: RegisterIn, if_match: str | None
) -> tuple[Register, str]:
    """Create or update a register as decided, with its outcomes. Returns the register and
    what happened: created, changed or unchanged."""
    rules.raise_if(rules.register_errors(body.model_dump()), "Register does not hold together")
    register = await repo.get_register(session, body.municipality_code, body.board_code)
    created = register is None
    before: dict[str, Any] = {}
    if register is None:
        register = Register(
            municipality_code=body.municipality_code,
            board_code=body.board_code,
            name=body.name,
            first_year=body.first_year,
            last_year=body.last_year,
            default_tolerance_percent=body.default_tolerance_percent,
            default_tolerance_source=body.default_tolerance_source,
        )
        session.add(register)
        await session.flush()
    else:
        before = await definition_of(session, register)
    wanted = definition_of_body(body)
    if before != wanted:
        if not created:
            check_if_match(if_match, register_etag(register))
        await _write_definition(session, register, body)
        _audit(
            session,
            register,
            actor,
            "register.loaded" if created else "register.changed",
            f"{body.municipality_code}/{body.board_code}",
            body.reason,
            [{"path": "/", "old": None, "new": "created"}]
            if created
            else _definition_changes(before, wanted),
        )
    items = [
        OutcomeItemIn(indicator_code=i.code, **o.model_dump())
        for i in body.indicators
        for o in i.outcomes
    ]
    recorded = await _record(session, actor, register, items, body.reason)
    await commit(session)
    if created:
        return register, "created"
    changed = before != wanted or recorded.created + recorded.corrected > 0
    return register, "changed" if changed else "unchanged"


def _definition_changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
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


# ---- outcomes --------------------------------------------------------------------------------


Routed = list[tuple[int, str, OutcomeItemIn]]


def _route(
    indicators: dict[str, Indicator], items: list[OutcomeItemIn]
) -> tuple[Routed, list[str]]:
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


def _validate_items(register: Register, indicators: dict[str, Indicator], items: Routed) -> None:
    errors: list[dict[str, str]] = []
    for n, code, item in items:
        at = f"/items/{n}"
        indicator = indicators.get(code)
        if indicator is None:
            errors.append(rules.field_error(f"{at}/indicator_code", f"unknown indicator {code}"))
            continue
        errors += rules.period_errors(
            item.period, register.first_year, register.last_year, f"{at}/period"
        )
        errors += rules.value_errors(indicator.unit, item.value, f"{at}/value")
    seen: set[tuple[str, str, str, str]] = set()
    for n, code, item in items:
        key = (code, item.period, item.gender, item.source)
        if key in seen:
            errors.append(
                rules.field_error(
                    f"/items/{n}", "the same indicator, period, gender and source twice"
                )
            )
        seen.add(key)
    rules.raise_if(errors, "Outcomes do not fit the register")


def _same(current: Outcome, item: OutcomeIn) -> bool:
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


async def _record(
    session: AsyncSession, actor: str, register: Register, items: list[OutcomeItemIn], reason: str
) -> OutcomeBatchResult:
    """Append a row for every item that differs from its key's current value."""
    indicators = await repo.indicators_by_code(session, register.id)
    routed, unused = _route(indicators, items)
    _validate_items(register, indicators, routed)
    keys = {(indicators[code].id, i.period, i.gender, i.source) for _, code, i in routed}
    current = await repo.current_for_keys(session, register.id, keys)
    created = corrected = unchanged = 0
    changes: list[dict[str, Any]] = []
    for _, code, item in routed:
        indicator = indicators[code]
        old = current.get((indicator.id, item.period, item.gender, item.source))
        if old is not None and _same(old, item):
            unchanged += 1
            continue
        year, tertial = split_period(item.period)
        session.add(
            Outcome(
                indicator_id=indicator.id,
                register_id=register.id,
                period=item.period,
                year=year,
                tertial=tertial,
                gender=item.gender,
                source=item.source,
                value=item.value,
                status=item.status,
                notation=item.notation,
                comment=item.comment,
                analysis=item.analysis,
                recorded_by=actor,
                replaces_id=old.id if old else None,
            )
        )
        created += old is None
        corrected += old is not None
        changes.append(
            {
                "path": f"/indicators/{code}/outcomes/{item.period}/{item.gender}/{item.source}",
                "old": None if old is None else {"value": _number(old.value), "status": old.status},
                "new": {"value": _number(item.value), "status": str(item.status)},
            }
        )
    if changes:
        _audit(
            session,
            register,
            actor,
            "outcomes.recorded",
            f"{register.municipality_code}/{register.board_code}",
            reason,
            changes,
        )
    await session.flush()
    return OutcomeBatchResult(
        created=created,
        corrected=corrected,
        unchanged=unchanged,
        last_change_id=await repo.last_outcome_id(session, register.id),
        unused_figures=unused,
    )


def request_hash(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


async def _replayed(
    session: AsyncSession, scope: str, key: str, digest: str
) -> OutcomeBatchResult | None:
    seen = await repo.get_idempotency(session, scope, key)
    if seen is None:
        return None
    if seen.request_hash != digest:
        raise InvalidContent(
            "This Idempotency-Key was used for different content",
            field="/items",
            idempotency_key=key,
        )
    return OutcomeBatchResult.model_validate(seen.response)


def _hashed(item: OutcomeItemIn) -> dict[str, Any]:
    # Without an absent figure, so an item addressed by code hashes as it did before figures
    # existed and a redelivery of an older message is still recognised as the same.
    body = item.model_dump(mode="json")
    if body["figure"] is None:
        del body["figure"]
    return body


async def record_outcomes(
    session: AsyncSession,
    actor: str,
    register: Register,
    items: list[OutcomeItemIn],
    reason: str,
    idempotency_key: str | None,
) -> OutcomeBatchResult:
    """Bulk upsert keyed by (indicator, period, gender, source). With an Idempotency-Key the
    first answer is stored: a redelivery gets it again, other content under the key is refused."""
    scope = f"{register.municipality_code}/{register.board_code}/outcomes"
    digest = request_hash([_hashed(i) for i in items])
    if idempotency_key:
        seen = await _replayed(session, scope, idempotency_key, digest)
        if seen is not None:
            return seen
    result = await _record(session, actor, register, items, reason)
    if idempotency_key:
        session.add(
            IdempotencyRecord(
                scope=scope,
                key=idempotency_key,
                request_hash=digest,
                response=result.model_dump(mode="json"),
            )
        )
    try:
        await commit(session)
    except IntegrityError:
        # The same key was processed concurrently (a redelivery racing the first attempt):
        # this transaction is void, and the first one's answer is the answer.
        await session.rollback()
        seen = await _replayed(session, scope, idempotency_key or "", digest)
        if seen is None:
            raise
        return seen
    return result


# ---- milestone assessments ----------------------------------------------------------------------


async def assess(
    session: AsyncSession, actor: str, register: Register, code: str, body: AssessmentIn
) -> Assessment:
    indicator = await find_indicator(session, register, code)
    target = next((t for t in indicator.targets if t.year == body.year), None)
    # Only a kind whose rule takes a person's assessment (a milestone) can be assessed.
    if target is None or not KINDS[TargetKind(target.kind)].assessed_by_person:
        raise InvalidContent(f"{code} has no milestone target for {body.year}", field="/year")
    if body.status == "not_assessable":
        raise InvalidContent("An assessment says met, partly_met or not_met", field="/status")
    assessment = Assessment(
        indicator_id=indicator.id,
        year=body.year,
        status=body.status,
        motivation=body.motivation,
        assessed_by=actor,
    )
    session.add(assessment)
    _audit(
        session,
        register,
        actor,
        "milestone.assessed",
        f"{code}/{body.year}",
        body.reason,
        [
            {
                "path": f"/indicators/{code}/assessments/{body.year}",
                "old": None,
                "new": {"status": str(body.status), "motivation": body.motivation},
            }
        ],
    )
    await commit(session)
    return assessment
