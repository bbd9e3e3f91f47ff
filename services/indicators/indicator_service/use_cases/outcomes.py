"""Use cases of outcomes: record a batch (from people, from other services by figure, from
Kolada's shape), honouring an Idempotency-Key; export Kolada's shape; and the changes-since
feed. A recording appends a row for every key whose value changed, audits it and commits
once; the old row stays visible as history."""

from __future__ import annotations

import httpx
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service.models import AuditEntry, Outcome, Register
from indicator_service.repository import indicators as indicator_queries
from indicator_service.repository import outcomes as outcome_queries
from indicator_service.rules import kolada
from indicator_service.rules.outcome_intake import (
    check_items,
    items_hash,
    outcome_change,
    route,
    same,
)
from indicator_service.schemas import KoladaEntryIn, KoladaImportIn, OutcomeItemIn
from indicator_service.schemas_out import ChangeOut, ChangesPage, KoladaPage, OutcomeBatchResult
from indicator_service.use_cases.idempotency import write_once
from indicator_service.use_cases.presenting import outcome_out
from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.problems import InvalidContent, field_error
from municipal_shared.types import split_period

KOLADA_TIMEOUT = httpx.Timeout(10.0)
KOLADA_MAX_PAGE_BYTES = 10 * 1_048_576


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
    digest = items_hash(items)

    async def write() -> OutcomeBatchResult:
        return await record_items(session, actor, register, items, reason)

    return await write_once(session, scope, idempotency_key, digest, write, OutcomeBatchResult)


async def import_kolada(
    session: AsyncSession,
    actor: str,
    register: Register,
    body: KoladaImportIn,
    reason: str | None,
    idempotency_key: str | None,
) -> OutcomeBatchResult:
    """A Kolada page (and the pages its `next_page` leads to on this machine's test server)
    recorded as one batch for the indicators mapped to their KPI. The read that found the
    register ends before any page is fetched, so no pooled connection waits on the network."""
    reason = _kolada_reason(reason, body.reason)
    kolada.check_page(body)
    pages: list[tuple[str, list[KoladaEntryIn]]] = [("", body.values)]
    if body.next_page is not None:
        await session.rollback()  # nothing written yet: only the register's read ends
        pages += await _following_pages(body.next_page)
        await session.refresh(register)
    mapped = await indicator_queries.kolada_indicators(session, register.id)
    by_kpi = {i.source_ref: i for i in mapped if i.source_ref is not None}  # all, by the query
    items = kolada.items_from_kolada(pages, register.municipality_code, by_kpi)
    return await record_outcomes(session, actor, register, items, reason, idempotency_key)


def _kolada_reason(query: str | None, body: str | None) -> str:
    """The reason travels as a query parameter (a Kolada page has no place for it); a
    `reason` in the body is still read, as before, but the two must not disagree."""
    if query is not None and body is not None and query != body:
        message = "the query parameter and the body give different reasons"
        raise InvalidContent(message, field="/reason")
    chosen = query if query is not None else body
    if chosen is None:
        error = field_error("/reason", "give the import's reason", location="query")
        raise InvalidContent("The reason is missing", errors=[error])
    return chosen


async def _following_pages(url: str | None) -> list[tuple[str, list[KoladaEntryIn]]]:
    """The pages after the posted one, each checked like it: a client of its own, so no token
    of ours goes with these requests; a redirect is not followed (it could lead anywhere)."""
    pages: list[tuple[str, list[KoladaEntryIn]]] = []
    seen: set[str] = set()
    async with httpx.AsyncClient(timeout=KOLADA_TIMEOUT, follow_redirects=False) as client:
        while url is not None:
            label = f"page {len(pages) + 2} ({url})"
            if url in seen or len(pages) >= kolada.MAX_PAGES:
                raise InvalidContent(f"{label}: the pages do not end", field="/next_page")
            seen.add(kolada.followable(url))
            page = await _fetch_page(client, url, label)
            kolada.check_page(page, label)
            pages.append((label, page.values))
            url = page.next_page
    return pages


async def _fetch_page(client: httpx.AsyncClient, url: str, label: str) -> KoladaImportIn:
    try:
        async with client.stream("GET", url, headers={"Accept": "application/json"}) as answer:
            if answer.status_code != 200:
                message = f"{label}: answered {answer.status_code}"
                raise InvalidContent(message, field="/next_page")
            content = b""
            async for chunk in answer.aiter_bytes():
                content += chunk
                if len(content) > KOLADA_MAX_PAGE_BYTES:
                    raise InvalidContent(f"{label}: the page is too large", field="/next_page")
    except httpx.HTTPError as exc:
        message = f"{label}: cannot be read ({type(exc).__name__})"
        raise InvalidContent(message, field="/next_page") from None
    try:
        return KoladaImportIn.model_validate_json(content)
    except ValidationError as exc:
        where = ", ".join("/" + "/".join(map(str, e["loc"])) for e in exc.errors()[:5])
        message = f"{label}: not a Kolada data page ({where})"
        raise InvalidContent(message, field="/next_page") from None


async def export_kolada(session: AsyncSession, register: Register, kpi: str | None) -> KoladaPage:
    mapped = {i.id: i for i in await indicator_queries.kolada_indicators(session, register.id, kpi)}
    outcomes = await outcome_queries.current_outcomes(
        session, register.id, indicator_ids=list(mapped), annual_only=True, gender=None
    )
    return kolada.kolada_from_outcomes(outcomes, register.municipality_code, mapped)


async def outcome_changes(
    session: AsyncSession, register: Register, since: int, limit: int
) -> ChangesPage:
    """Values recorded after the cursor `since`, oldest first."""
    rows = await outcome_queries.changes_since(session, register.id, since, limit)
    indicators = await indicator_queries.indicators_by_code(session, register.id)
    codes = {i.id: i.code for i in indicators.values()}
    items = [
        ChangeOut(**outcome_out(o).model_dump(), indicator_code=codes[o.indicator_id]) for o in rows
    ]
    return ChangesPage(items=items, next_since=rows[-1].id if rows else since)


async def record_items(
    session: AsyncSession, actor: str, register: Register, items: list[OutcomeItemIn], reason: str
) -> OutcomeBatchResult:
    """A step of a use case, not one: append a row for every item that differs from its
    key's current value, with the audit entry. The calling use case commits."""
    indicators = await indicator_queries.indicators_by_code(session, register.id)
    routed, unused = route(indicators, items)
    check_items(register, indicators, routed)
    keys = {(indicators[code].id, i.period, i.gender, i.source) for _, code, i in routed}
    current = await outcome_queries.current_for_keys(session, register.id, keys)
    created = corrected = unchanged = 0
    changes = []
    for _, code, item in routed:
        indicator = indicators[code]
        old = current.get((indicator.id, item.period, item.gender, item.source))
        if old is not None and same(old, item):
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
        changes.append(outcome_change(code, old, item))
    if changes:
        record_audit(
            session,
            AuditEntry,
            register_id=register.id,
            actor=actor,
            action="outcomes.recorded",
            target=f"{register.municipality_code}/{register.board_code}",
            reason=reason,
            changes=changes,
        )
    await session.flush()
    return OutcomeBatchResult(
        created=created,
        corrected=corrected,
        unchanged=unchanged,
        last_change_id=await outcome_queries.last_outcome_id(session, register.id),
        unused_figures=unused,
    )
