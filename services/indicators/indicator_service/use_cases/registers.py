"""Use cases of registers: find one, list them, read one with its ETag, read its audit log,
and load a register as decided (create, or change where the body differs, with the ETag).
Loading validates, writes, records an audit entry and commits once; an error anywhere rolls
the whole use case back."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service.models import AuditEntry, CouncilGoal, FocusArea, Indicator, Register, Target
from indicator_service.repository import indicators as indicator_queries
from indicator_service.repository import registers as register_queries
from indicator_service.rules.register_checks import register_errors
from indicator_service.rules.register_definition import (
    definition_changes,
    definition_of_body,
    definition_of_rows,
    target_dict,
)
from indicator_service.schemas import OutcomeItemIn, RegisterIn
from indicator_service.schemas_out import RegisterOut
from indicator_service.use_cases.outcomes import record_items
from indicator_service.use_cases.presenting import register_out
from municipal_shared.kit.audit import AuditEntryOut, record_audit
from municipal_shared.kit.concurrency import check_if_match, make_etag
from municipal_shared.kit.database import commit, utc_now
from municipal_shared.kit.pagination import Page, Pagination, fetch_page
from municipal_shared.kit.problems import InvalidContent, NotFound, raise_if


def register_etag(register: Register) -> str:
    return make_etag("register", register.id, register.row_version)


async def find_register(session: AsyncSession, municipality_code: str, board_code: str) -> Register:
    register = await register_queries.get_register(session, municipality_code, board_code)
    if register is None:
        raise NotFound(f"No indicator register for {municipality_code}/{board_code}")
    return register


async def list_registers(session: AsyncSession, page: Pagination) -> Page[RegisterOut]:
    registers, total = await fetch_page(session, register_queries.registers_query(), page)
    # One batch of queries for the whole page, not a round per register.
    contents = await register_queries.register_contents(session, [r.id for r in registers])
    return page.of([register_out(r, contents[r.id], register_etag(r)) for r in registers], total)


async def read_register(session: AsyncSession, register: Register) -> RegisterOut:
    """The register with its goals, focus areas, size and ETag."""
    contents = await register_queries.register_contents(session, [register.id])
    return register_out(register, contents[register.id], register_etag(register))


async def audit_log(
    session: AsyncSession, register: Register, page: Pagination
) -> Page[AuditEntryOut]:
    rows, total = await fetch_page(session, register_queries.audit_query(register.id), page)
    return page.of([AuditEntryOut.model_validate(r) for r in rows], total)


async def load_register(
    session: AsyncSession,
    actor: str,
    municipality_code: str,
    board_code: str,
    body: RegisterIn,
    if_match: str | None,
) -> tuple[RegisterOut, str]:
    """Create or update the register at (municipality_code, board_code) as decided, with its
    outcomes. Returns the register as stored and what happened: created, changed or
    unchanged."""
    if (body.municipality_code, body.board_code) != (municipality_code, board_code):
        raise InvalidContent(
            "The body names another register than the path", field="/municipality_code"
        )
    raise_if(register_errors(body.model_dump()), "Register does not hold together")
    register = await register_queries.get_register(session, municipality_code, board_code)
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
        before = await _stored_definition(session, register)
    wanted = definition_of_body(body)
    if before != wanted:
        if not created:
            check_if_match(if_match, register_etag(register))
        await _write_definition(session, register, body)
        record_audit(
            session,
            AuditEntry,
            register_id=register.id,
            actor=actor,
            action="register.loaded" if created else "register.changed",
            target=f"{body.municipality_code}/{body.board_code}",
            reason=body.reason,
            changes=[{"path": "/", "old": None, "new": "created"}]
            if created
            else definition_changes(before, wanted),
        )
    items = [
        OutcomeItemIn(indicator_code=i.code, **o.model_dump())
        for i in body.indicators
        for o in i.outcomes
    ]
    recorded = await record_items(session, actor, register, items, body.reason)
    await commit(session)
    if created:
        what = "created"
    else:
        changed = before != wanted or recorded.created + recorded.corrected > 0
        what = "changed" if changed else "unchanged"
    return await read_register(session, register), what


async def _stored_definition(session: AsyncSession, register: Register) -> dict[str, Any]:
    goals = await register_queries.council_goals(session, register.id)
    areas = await register_queries.focus_areas(session, register.id)
    indicators = await indicator_queries.indicators_by_code(session, register.id)
    return definition_of_rows(register, goals, areas, list(indicators.values()))


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
    goals = {g.number: g for g in await register_queries.council_goals(session, register.id)}
    for g in body.council_goals:
        goal = goals.get(g.number) or CouncilGoal(register_id=register.id, number=g.number)
        goal.title, goal.board_linked = g.title, g.board_linked
        goals[g.number] = goal
        session.add(goal)
    areas = {a.code: a for a in await register_queries.focus_areas(session, register.id)}
    for position, a in enumerate(body.focus_areas, start=1):
        area = areas.get(a.code) or FocusArea(register_id=register.id, code=a.code)
        area.position, area.name, area.description = position, a.name, a.description
        area.council_goals = [goals[n] for n in a.council_goals]
        areas[a.code] = area
        session.add(area)
    existing = await indicator_queries.indicators_by_code(session, register.id)
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
        if [target_dict(t) for t in ind.targets] != [target_dict(t) for t in i.targets]:
            ind.targets.clear()
            await session.flush()  # delete before insert: (indicator, year) is unique
            ind.targets = [Target(**t.model_dump()) for t in i.targets]
        session.add(ind)
    await session.flush()
