"""Use cases of tender outcomes in the native format: one by reference (many at once: bulk.py),
reading them, and the municipality's audit log. A write validates, stores the procurement
with its bidders and warnings, records an audit entry, marks the tertials it changes for
delivery, updates the measurement summary (figures_upkeep.py) and commits once.
`store_outcome` is the step the OCDS intake and the bulk intake share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.kit.audit import AuditEntryOut, record_audit
from municipal_shared.kit.database import commit, utc_now
from municipal_shared.kit.pagination import Page, PageParams, fetch_page
from municipal_shared.kit.problems import NotFound
from municipal_shared.kit.races import retry_lost_race
from procurement_service import repository as repo
from procurement_service.models import AuditEntry, Bidder, Procurement, QualityWarning
from procurement_service.repository import delivery as delivery_repo
from procurement_service.rules.attribution import Buyer, check_native
from procurement_service.rules.delivery import affected_tertials
from procurement_service.rules.outcome_intake import content_hash, rows_of, validate
from procurement_service.rules.procurement import Identity
from procurement_service.schemas import Outcome, ProcurementPut
from procurement_service.schemas_out import ProcurementOut, procurement_out
from procurement_service.use_cases.figures_upkeep import Upkeep


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
    upkeep: Upkeep | None,
    source: str = "native",
    existing: Any = _LOOK_UP,
    mark_dirty: bool = True,
    audit: bool = True,
) -> tuple[Procurement, str, list[dt.date | None]]:
    """Idempotent upsert by the buyer's reference, the step both intakes (native and OCDS)
    share; returns the procurement, what happened (created, changed or unchanged) and the
    dates whose tertials changed. Nothing is committed here: the use case commits once.
    `upkeep` counts the procurement before and after for the summary; None when the caller
    counts a batch of them itself (bulk.py); `audit` False when the caller records the
    batch in one entry that names every procurement (bulk.py)."""
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
        if upkeep is not None:
            await upkeep.before([procurement.id])
        procurement.bidders.clear()
        procurement.warnings.clear()
        await session.flush()  # delete before insert: bidders are unique per procurement
    _fill(procurement, body, identities, winner_keys)
    procurement.source, procurement.content_hash = source, digest
    procurement.updated_at = utc_now()
    if audit:
        record_audit(
            session,
            AuditEntry,
            actor=actor,
            action="procurement.created" if created else "procurement.changed",
            target=f"{municipality_code}/{reference}",
            reason=reason,
            changes=[
                {"path": "/content_hash", "old": None if created else "previous", "new": digest}
            ],
            municipality_code=municipality_code,
        )
    if upkeep is not None:
        await session.flush()  # a new procurement gets its id
        await upkeep.after([procurement.id])
    dates = [*old_dates, procurement.award_date, procurement.contract_signed_date]
    if mark_dirty:
        await mark_tertials_dirty(session, municipality_code, dates)
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
        upkeep = await Upkeep.begin(session, municipality_code)
        procurement, what, _ = await store_outcome(
            session, actor, municipality_code, reference, body, secret, body.reason, upkeep=upkeep
        )
        await upkeep.finish()
        await commit(session)
        return procurement, what

    return await retry_lost_race(session, attempt)


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


async def mark_tertials_dirty(
    session: AsyncSession, municipality_code: str, dates: list[dt.date | None]
) -> None:
    """The tertials these dates change must be delivered again (same transaction)."""
    tertials = affected_tertials(list(set(dates)))  # a bulk request's dates repeat
    await delivery_repo.mark_dirty(session, municipality_code, sorted(tertials))
