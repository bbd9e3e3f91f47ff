"""Use cases of assignments (uppdrag): load a register's assignments as decided, list them,
read one with its follow-up history, and record a tertial's follow-up (honouring an
Idempotency-Key); and the assignments section the tertial report shows. A write validates
everything first, appends, audits and commits once; an error writes nothing."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service.models import (
    Assignment,
    AssignmentFollowUp,
    AuditEntry,
    Indicator,
    Register,
)
from indicator_service.repository import assignments as assignment_queries
from indicator_service.repository import indicators as indicator_queries
from indicator_service.repository import registers as register_queries
from indicator_service.rules.assignments import (
    Reported,
    Shown,
    check_definitions,
    check_follow_up,
    definition_changes,
    definition_of_body,
    definition_of_row,
    follow_up_change,
    latest_up_to,
    report_item,
    same,
    section,
)
from indicator_service.rules.outcome_intake import request_hash
from indicator_service.schemas import AssignmentsIn, FollowUpBatchIn
from indicator_service.schemas_out import (
    AssignmentDetail,
    AssignmentOut,
    AssignmentsLoaded,
    AssignmentsSection,
    FollowUpBatchResult,
    FollowUpOut,
    ReportRow,
)
from indicator_service.use_cases.idempotency import write_once
from indicator_service.use_cases.presenting import register_path
from indicator_service.use_cases.registers import find_register, register_etag
from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.concurrency import check_if_match
from municipal_shared.kit.database import commit, utc_now
from municipal_shared.kit.pagination import Page, Pagination, fetch_page
from municipal_shared.kit.problems import InvalidContent, NotFound
from municipal_shared.types import Tertial, split_period


async def load_assignments(
    session: AsyncSession,
    actor: str,
    municipality_code: str,
    board_code: str,
    body: AssignmentsIn,
    if_match: str | None,
) -> AssignmentsLoaded:
    """Create or update the register's assignments by code, as decided. Assignments left
    out of the body are kept: their follow-up must stay readable. A change of assignments
    that exist needs the register's ETag, and changes the register (a new ETag)."""
    if (body.municipality_code, body.board_code) != (municipality_code, board_code):
        raise InvalidContent(
            "The body names another register than the path", field="/municipality_code"
        )
    register = await find_register(session, municipality_code, board_code)
    goals = {g.number: g for g in await register_queries.council_goals(session, register.id)}
    areas = {a.code: a for a in await register_queries.focus_areas(session, register.id)}
    indicators = await indicator_queries.indicators_by_code(session, register.id)
    check_definitions(body, goals, areas, indicators)
    stored = {a.code: a for a in await assignment_queries.assignments(session, register.id)}
    before = [definition_of_row(a) for a in stored.values()]
    wanted = [definition_of_body(a) for a in body.assignments]
    changes = definition_changes(before, wanted)
    old = {d["code"]: d for d in before}
    created = sum(d["code"] not in old for d in wanted)
    unchanged = sum(old.get(d["code"]) == d for d in wanted)
    if changes:
        if stored:
            check_if_match(if_match, register_etag(register))
        for position, a in enumerate(body.assignments, start=1):
            row = stored.get(a.code) or Assignment(register_id=register.id, code=a.code)
            row.position, row.title, row.answer = position, a.title, list(a.answer)
            row.issued_by, row.addressed_to = a.issued_by, a.addressed_to
            row.due_date, row.due_wording, row.responsible = (
                a.due_date,
                a.due_wording,
                a.responsible,
            )
            row.figures = list(a.figures)
            row.council_goals = [goals[n] for n in a.council_goals]
            row.focus_areas = [areas[c] for c in a.focus_areas]
            row.indicators = [indicators[c] for c in a.indicators]
            session.add(row)
        register.updated_at = utc_now()  # the register changed: its ETag moves on
        record_audit(
            session,
            AuditEntry,
            register_id=register.id,
            actor=actor,
            action="assignments.loaded",
            target=f"{municipality_code}/{board_code}",
            reason=body.reason,
            changes=changes,
        )
        await commit(session)
    return AssignmentsLoaded(
        created=created,
        changed=len(wanted) - created - unchanged,
        unchanged=unchanged,
        etag=register_etag(register),
    )


async def list_assignments(
    session: AsyncSession, register: Register, page: Pagination
) -> Page[AssignmentOut]:
    """A page of the register's assignments, each with its newest status."""
    rows, total = await fetch_page(session, assignment_queries.assignments_query(register.id), page)
    entries = await assignment_queries.current_entries(
        session, register.id, assignment_ids=[a.id for a in rows]
    )
    return page.of([_assignment_out(register, a, entries.get(a.id, [])) for a in rows], total)


async def read_assignment(session: AsyncSession, register: Register, code: str) -> AssignmentDetail:
    """One assignment with every follow-up entry, corrections included."""
    found = await assignment_queries.assignment(session, register.id, code)
    if found is None:
        raise NotFound(
            f"No assignment {code} in {register.municipality_code}/{register.board_code}"
        )
    history = await assignment_queries.history(session, found.id)
    out = _assignment_out(register, found, history)
    return AssignmentDetail(**out.model_dump(), history=[_entry_out(e) for e in history])


async def record_follow_up(
    session: AsyncSession,
    actor: str,
    register: Register,
    body: FollowUpBatchIn,
    idempotency_key: str | None,
) -> FollowUpBatchResult:
    """Record a tertial's statuses: an entry for every item that differs from its
    (assignment, period)'s current entry; the earlier one stays as history. With an
    Idempotency-Key the first answer is stored: a redelivery gets it again, other content
    under the key is refused."""
    scope = f"{register.municipality_code}/{register.board_code}/assignments/follow-up"
    digest = request_hash([i.model_dump(mode="json") for i in body.items])

    async def write() -> FollowUpBatchResult:
        return await _append(session, actor, register, body)

    return await write_once(session, scope, idempotency_key, digest, write, FollowUpBatchResult)


async def assignments_section(
    session: AsyncSession,
    register: Register,
    year: int,
    tertial: Tertial,
    indicators: Sequence[Indicator],
    rows: Sequence[ReportRow],
) -> AssignmentsSection:
    """A step of the tertial report, not a use case: each assignment with its latest status
    up to the tertial and the values of the report's rows that report on it."""
    period = f"{year}-{tertial}"
    assignments = await assignment_queries.assignments(session, register.id)
    entries = await assignment_queries.current_entries(session, register.id, up_to_period=period)
    reported = [
        Reported(
            code=i.code,
            name=i.name,
            unit=i.unit,
            fed_by=i.fed_by,
            outcome=row.outcome,
            reference_period=row.reference_period,
        )
        for i, row in zip(indicators, rows, strict=True)
    ]
    items = [
        report_item(
            _shown(register, a), latest_up_to(entries.get(a.id, []), period), period, reported
        )
        for a in assignments
    ]
    goals = await register_queries.council_goals(session, register.id)
    areas = await register_queries.focus_areas(session, register.id)
    return section(
        period,
        items,
        [(g.number, g.title) for g in goals],
        [(a.code, a.name) for a in areas],
    )


async def _append(
    session: AsyncSession, actor: str, register: Register, body: FollowUpBatchIn
) -> FollowUpBatchResult:
    assignments = {a.code: a for a in await assignment_queries.assignments(session, register.id)}
    check_follow_up(register.first_year, register.last_year, assignments, body.items)
    keys = {(assignments[i.assignment_code].id, i.period) for i in body.items}
    current = await assignment_queries.current_for_keys(session, register.id, keys)
    created = corrected = unchanged = 0
    changes = []
    for item in body.items:
        assignment = assignments[item.assignment_code]
        old = current.get((assignment.id, item.period))
        if old is not None and same(old, item):
            unchanged += 1
            continue
        year, tertial = split_period(item.period)
        session.add(
            AssignmentFollowUp(
                assignment_id=assignment.id,
                register_id=register.id,
                period=item.period,
                year=year,
                tertial=str(tertial),  # a tertial period by the item's pattern
                status=item.status,
                comment=item.comment,
                status_reason=item.status_reason,
                recorded_by=actor,
                replaces_id=None if old is None else old.id,
            )
        )
        created += old is None
        corrected += old is not None
        changes.append(follow_up_change(item.assignment_code, old, item))
    if changes:
        record_audit(
            session,
            AuditEntry,
            register_id=register.id,
            actor=actor,
            action="assignments.followed_up",
            target=f"{register.municipality_code}/{register.board_code}",
            reason=body.reason,
            changes=changes,
        )
    await session.flush()
    return FollowUpBatchResult(created=created, corrected=corrected, unchanged=unchanged)


def _href(register: Register, code: str) -> str:
    return f"{register_path(register)}/assignments/{code}"


def _shown(register: Register, a: Assignment) -> Shown:
    return Shown(
        code=a.code,
        title=a.title,
        council_goals=[g.number for g in a.council_goals],
        focus_areas=[f.code for f in a.focus_areas],
        indicators=[i.code for i in a.indicators],
        figures=list(a.figures),
        href=_href(register, a.code),
    )


def _entry_out(entry: AssignmentFollowUp) -> FollowUpOut:
    return FollowUpOut.model_validate(entry, from_attributes=True)


def _assignment_out(
    register: Register, a: Assignment, entries: Sequence[AssignmentFollowUp]
) -> AssignmentOut:
    latest = max(entries, key=lambda e: (e.period, e.id), default=None)
    return AssignmentOut(
        code=a.code,
        title=a.title,
        answer=list(a.answer),
        issued_by=a.issued_by,
        addressed_to=a.addressed_to,
        council_goals=[g.number for g in a.council_goals],
        focus_areas=[f.code for f in a.focus_areas],
        indicators=[i.code for i in a.indicators],
        figures=list(a.figures),
        due_date=a.due_date,
        due_wording=a.due_wording,
        responsible=a.responsible,
        latest=None if latest is None else _entry_out(latest),
        href=_href(register, a.code),
    )
