"""Use cases of tender outcomes in the native format: one by reference or many at once (all
or nothing), reading them, and the municipality's audit log. A write validates, stores the
procurement with its bidders and warnings, records an audit entry, marks the tertials it
changes for delivery and commits once. `store_outcome` is the step the OCDS intake shares."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.kit.audit import AuditEntryOut, record_audit
from municipal_shared.kit.database import commit, utc_now
from municipal_shared.kit.pagination import Page, PageParams, fetch_page
from municipal_shared.kit.problems import InvalidContent, NotFound, field_error
from municipal_shared.kit.races import retry_lost_race
from procurement_service import repository as repo
from procurement_service.models import AuditEntry, Bidder, Procurement, QualityWarning
from procurement_service.repository import delivery as delivery_repo
from procurement_service.rules.attribution import Buyer, check_native
from procurement_service.rules.delivery import affected_tertials
from procurement_service.rules.outcome_intake import content_hash, rows_of, validate
from procurement_service.rules.procurement import Identity
from procurement_service.schemas import BulkIn, BulkItem, Outcome, ProcurementPut
from procurement_service.schemas_out import BulkResult, ProcurementOut, procurement_out


def _fill(
    procurement: Procurement,
    body: Outcome,
    identities: list[Identity],
    winner_keys: list[str],
) -> None:
    columns, bidders, warnings = rows_of(body, identities, winner_keys)
    for name, value in columns.items():
        setattr(procurement, name, value)
    procurement.bidders = [Bidder(**b) for b in bidders]
    procurement.warnings = [QualityWarning(**w) for w in warnings]


_LOOK_UP = object()  # store_outcome looks the procurement up itself


async def store_outcome(
    session: AsyncSession,
    actor: str,
    municipality_code: str,
    reference: str,
    body: Outcome,
    secret: bytes,
    reason: str,
    *,
    source: str = "native",
    existing: Any = _LOOK_UP,
    mark_dirty: bool = True,
) -> tuple[Procurement, str, list[dt.date | None]]:
    """Idempotent upsert by the buyer's reference, the step both intakes (native and OCDS)
    share; returns the procurement, what happened (created, changed or unchanged) and the
    dates whose tertials changed. Nothing is committed here: the use case commits once."""
    identities, winner_keys = validate(body, secret, strict=source == "native")
    digest = content_hash(body, identities, winner_keys)
    procurement: Procurement | None = (
        await repo.get_procurement(session, municipality_code, reference)
        if existing is _LOOK_UP
        else existing
    )
    if procurement is not None and procurement.content_hash == digest:
        return procurement, "unchanged", []
    created = procurement is None
    old_dates = (
        [] if procurement is None else [procurement.award_date, procurement.contract_signed_date]
    )
    if procurement is None:
        procurement = Procurement(
            municipality_code=municipality_code, reference=reference, bidders=[], warnings=[]
        )
        session.add(procurement)
    else:
        procurement.bidders.clear()
        procurement.warnings.clear()
        await session.flush()  # delete before insert: bidders are unique per procurement
    _fill(procurement, body, identities, winner_keys)
    procurement.source, procurement.content_hash = source, digest
    procurement.updated_at = utc_now()
    record_audit(
        session,
        AuditEntry,
        actor=actor,
        action="procurement.created" if created else "procurement.changed",
        target=f"{municipality_code}/{reference}",
        reason=reason,
        changes=[{"path": "/content_hash", "old": None if created else "previous", "new": digest}],
        municipality_code=municipality_code,
    )
    dates = [*old_dates, procurement.award_date, procurement.contract_signed_date]
    if mark_dirty:
        await _mark_tertials_dirty(session, municipality_code, dates)
    return procurement, "created" if created else "changed", dates


async def put_procurement(
    session: AsyncSession,
    actor: str,
    buyers: dict[str, Buyer],
    municipality_code: str,
    reference: str,
    body: ProcurementPut,
    secret: bytes,
) -> tuple[Procurement, str]:
    """One outcome by the buyer's reference (idempotent PUT); what happened: created, changed
    or unchanged. Identical PUTs at the same moment: the ones that lose the race to create the
    reference find it stored and answer with it, never 409."""
    check_native(buyers, municipality_code, [("/board_code", body.board_code)])

    async def attempt() -> tuple[Procurement, str]:
        procurement, what, _ = await store_outcome(
            session, actor, municipality_code, reference, body, secret, body.reason
        )
        await commit(session)
        return procurement, what

    return await retry_lost_race(session, attempt)


async def put_procurements(
    session: AsyncSession,
    actor: str,
    buyers: dict[str, Buyer],
    municipality_code: str,
    body: BulkIn,
    secret: bytes,
) -> BulkResult:
    """All or nothing: every item is validated first, naming each bad one by its index. The
    stored ones are read in one query and the changed tertials marked once."""
    boards = [(f"/items/{i}/board_code", item.board_code) for i, item in enumerate(body.items)]
    check_native(buyers, municipality_code, boards)
    counts = await retry_lost_race(
        session,
        lambda: _put_many(session, actor, municipality_code, body.items, secret, body.reason),
    )
    return BulkResult(**counts)


async def _put_many(
    session: AsyncSession,
    actor: str,
    municipality_code: str,
    items: list[BulkItem],
    secret: bytes,
    reason: str,
) -> dict[str, int]:
    errors: list[dict[str, str]] = []
    seen: set[str] = set()
    validated: dict[str, tuple[list[Identity], list[str]]] = {}
    for i, item in enumerate(items):
        if item.reference in seen:
            errors.append(field_error(f"/items/{i}/reference", "the same reference twice"))
        seen.add(item.reference)
        try:
            validated[item.reference] = validate(item, secret, at=f"/items/{i}")
        except InvalidContent as exc:
            errors += exc.extensions["errors"]
    if errors:
        raise InvalidContent(
            "Some outcomes do not hold together; nothing was stored", errors=errors
        )
    stored = await repo.procurements_by_reference(session, municipality_code, list(seen))
    counts = {"created": 0, "changed": 0, "unchanged": 0}
    changed_dates: list[dt.date | None] = []
    new_items = [item for item in items if item.reference not in stored]
    changed_dates += await _insert_new(
        session, actor, municipality_code, new_items, validated, reason
    )
    counts["created"] = len(new_items)
    for item in items:
        if item.reference not in stored:
            continue
        _, what, dates = await store_outcome(
            session,
            actor,
            municipality_code,
            item.reference,
            item,
            secret,
            reason,
            existing=stored[item.reference],
            mark_dirty=False,
        )
        counts[what] += 1
        changed_dates += dates
    await _mark_tertials_dirty(session, municipality_code, changed_dates)
    await commit(session)
    return counts


async def _insert_new(
    session: AsyncSession,
    actor: str,
    municipality_code: str,
    items: list[BulkItem],
    validated: dict[str, tuple[list[Identity], list[str]]],
    reason: str,
) -> list[dt.date | None]:
    """New procurements of a bulk request as a few multi-row INSERTs instead of one unit of
    work per procurement; the rows are the same as the ORM path writes."""
    if not items:
        return []
    prepared = []
    for item in items:
        columns, bidders, warnings = rows_of(item, *validated[item.reference])
        columns |= {
            "municipality_code": municipality_code,
            "reference": item.reference,
            "source": "native",
            "content_hash": content_hash(item, *validated[item.reference]),
            "row_version": 1,
            "updated_at": utc_now(),
        }
        prepared.append((columns, bidders, warnings))
    ids = await repo.insert_procurements(session, [columns for columns, _, _ in prepared])
    bidder_rows = [
        {**b, "procurement_id": pid}
        for pid, (_, bs, _) in zip(ids, prepared, strict=True)
        for b in bs
    ]
    warning_rows = [
        {**w, "procurement_id": pid}
        for pid, (_, _, ws) in zip(ids, prepared, strict=True)
        for w in ws
    ]
    await repo.insert_bidders(session, bidder_rows)
    await repo.insert_warnings(session, warning_rows)
    for item, (columns, _, _) in zip(items, prepared, strict=True):
        record_audit(
            session,
            AuditEntry,
            actor=actor,
            action="procurement.created",
            target=f"{municipality_code}/{item.reference}",
            reason=reason,
            changes=[{"path": "/content_hash", "old": None, "new": columns["content_hash"]}],
            municipality_code=municipality_code,
        )
    return [
        d
        for columns, _, _ in prepared
        for d in (columns["award_date"], columns["contract_signed_date"])
    ]


async def find_procurement(
    session: AsyncSession, municipality_code: str, reference: str
) -> Procurement:
    procurement = await repo.get_procurement(session, municipality_code, reference)
    if procurement is None:
        raise NotFound(f"No procurement {reference} in {municipality_code}")
    return procurement


async def list_procurements(
    session: AsyncSession, municipality_code: str, administration: str | None, page: PageParams
) -> Page[ProcurementOut]:
    """The municipality's procurements by award date (one administration's, if given)."""
    query = repo.procurements_query(municipality_code, administration)
    rows, total = await fetch_page(session, query, page)
    return page.of([procurement_out(p) for p in rows], total)


async def list_audit(
    session: AsyncSession, municipality_code: str, page: PageParams
) -> Page[AuditEntryOut]:
    """Who changed the municipality's outcomes and rules, newest first."""
    rows, total = await fetch_page(session, repo.audit_query(municipality_code), page)
    return page.of([AuditEntryOut.model_validate(row) for row in rows], total)


async def _mark_tertials_dirty(
    session: AsyncSession, municipality_code: str, dates: list[dt.date | None]
) -> None:
    """The tertials these dates change must be delivered again (same transaction)."""
    await delivery_repo.mark_dirty(session, municipality_code, sorted(affected_tertials(dates)))
