"""Use case: many tender outcomes at once (PUT /v1/procurements/{municipality_code}), all or
nothing, idempotent per reference, at close to the database's own speed.

Why not the ORM for new outcomes: a unit of work per procurement (identity map, events, a
flush that orders the INSERTs) costs more than validating it. Validated by pydantic and the
outcome rules (each company identified once per request), the new procurements, their
bidders and warnings go in as one multi-row statement per table (repository/rows.py: `unnest`
arrays on PostgreSQL), and the summary counts them in the statements that add them
(repository/summary_add.py). A stored outcome sent again unchanged is left alone; a changed
one takes the path of a single PUT (`store_outcome`), counted for the summary before and
after, as a batch.

The audit: one entry per request that stores anything (target the municipality), naming
every procurement it created or changed with its old and new fingerprint (`changes`, path
`/<reference>`), rather than a row per procurement: who changed an outcome, when and why
stays in the log, at the cost of one row per batch."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.database import commit, utc_now
from municipal_shared.kit.problems import InvalidContent, field_error
from municipal_shared.kit.races import retry_lost_race
from procurement_service import repository as repo
from procurement_service.models import AuditEntry, Bidder, Procurement, QualityWarning
from procurement_service.repository.rows import insert_rows, table_of
from procurement_service.rules.attribution import Buyer, check_native
from procurement_service.rules.outcome_intake import Known, content_hash, rows_of, validate
from procurement_service.rules.procurement import Identity
from procurement_service.schemas import BulkIn, BulkItem
from procurement_service.schemas_out import BulkResult
from procurement_service.use_cases.figures_upkeep import Upkeep
from procurement_service.use_cases.procurements import mark_tertials_dirty, store_outcome

Checked = dict[str, tuple[list[Identity], list[str]]]  # reference -> identities, winner keys


async def put_procurements(
    session: AsyncSession,
    actor: str,
    buyers: dict[str, Buyer],
    municipality_code: str,
    body: BulkIn,
    secret: bytes,
) -> BulkResult:
    """All or nothing: every item is validated first, naming each bad one by its index."""
    boards = [(f"/items/{i}/board_code", item.board_code) for i, item in enumerate(body.items)]
    check_native(buyers, municipality_code, boards)
    checked = _checked(body.items, secret)
    counts = await retry_lost_race(
        session,
        lambda: _put_many(
            session, actor, municipality_code, body.items, checked, secret, body.reason
        ),
    )
    return BulkResult(**counts)


def _checked(items: list[BulkItem], secret: bytes) -> Checked:
    errors: list[dict[str, str]] = []
    checked: Checked = {}
    known: Known = {}
    for i, item in enumerate(items):
        if item.reference in checked:
            errors.append(field_error(f"/items/{i}/reference", "the same reference twice"))
        try:
            checked[item.reference] = validate(item, secret, at=f"/items/{i}", known=known)
        except InvalidContent as exc:
            errors += exc.extensions["errors"]
    if errors:
        raise InvalidContent(
            "Some outcomes do not hold together; nothing was stored", errors=errors
        )
    return checked


async def _put_many(
    session: AsyncSession,
    actor: str,
    municipality_code: str,
    items: list[BulkItem],
    checked: Checked,
    secret: bytes,
    reason: str,
) -> dict[str, int]:
    upkeep = await Upkeep.begin(session, municipality_code)
    digests = {item.reference: content_hash(item, *checked[item.reference]) for item in items}
    stored = await repo.stored_hashes(session, municipality_code, list(digests))
    new = [item for item in items if item.reference not in stored]
    changed = [
        i for i in items if i.reference in stored and stored[i.reference][1] != digests[i.reference]
    ]
    counts = {"created": len(new), "changed": 0, "unchanged": len(items) - len(new)}
    dates: list[dt.date | None] = []
    changed_ids = [stored[item.reference][0] for item in changed]
    if changed:
        objects = await repo.procurements_by_reference(
            session, municipality_code, [item.reference for item in changed]
        )
        await upkeep.before(changed_ids)
        for item in changed:
            _, what, item_dates = await store_outcome(
                session,
                actor,
                municipality_code,
                item.reference,
                item,
                secret,
                reason,
                upkeep=None,
                existing=objects[item.reference],
                mark_dirty=False,
                audit=False,
            )
            counts[what] += 1
            counts["unchanged"] -= 1
            dates += item_dates
    new_ids, new_dates = await _insert_new(session, municipality_code, new, checked, digests)
    if new or changed:
        old = {item.reference: stored[item.reference][1] for item in changed}
        record_audit(
            session,
            AuditEntry,
            actor=actor,
            action="procurements.stored",
            target=municipality_code,
            reason=reason,
            changes=[
                {"path": "/" + _escaped(i.reference), "old": old.get(i.reference), "new": d}
                for i in [*changed, *new]
                for d in (digests[i.reference],)
            ],
            municipality_code=municipality_code,
        )
    await upkeep.after(new_ids + changed_ids)
    await mark_tertials_dirty(session, municipality_code, dates + new_dates)
    await upkeep.finish()
    await commit(session)
    return counts


def _escaped(reference: str) -> str:
    """A reference as a JSON Pointer token (RFC 6901): it may hold a slash."""
    return reference.replace("~", "~0").replace("/", "~1")


async def _insert_new(
    session: AsyncSession,
    municipality_code: str,
    items: list[BulkItem],
    checked: Checked,
    digests: dict[str, str],
) -> tuple[list[int], list[dt.date | None]]:
    """New procurements as one statement per table; the rows are the ones the ORM path
    writes (rules/outcome_intake.rows_of). Returns their ids and the dates they change."""
    if not items:
        return [], []
    now = utc_now()
    procurements, bidders, warnings = [], [], []
    for item in items:
        columns, its_bidders, its_warnings = rows_of(item, *checked[item.reference])
        columns |= {
            "municipality_code": municipality_code,
            "reference": item.reference,
            "source": "native",
            "content_hash": digests[item.reference],
            "row_version": 1,
            "updated_at": now,
        }
        procurements.append(columns)
        bidders.append(its_bidders)
        warnings.append(its_warnings)
    returned = await insert_rows(
        session, table_of(Procurement), procurements, returning=("reference", "id")
    )
    ids = dict(returned)
    await insert_rows(session, table_of(Bidder), _owned(items, ids, bidders))
    await insert_rows(session, table_of(QualityWarning), _owned(items, ids, warnings))
    dates = [d for p in procurements for d in (p["award_date"], p["contract_signed_date"])]
    return list(ids.values()), dates


def _owned(
    items: list[BulkItem], ids: dict[str, int], rows: list[list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    for item, its_rows in zip(items, rows, strict=True):
        owner = ids[item.reference]
        for row in its_rows:
            row["procurement_id"] = owner
    return [row for its_rows in rows for row in its_rows]
