"""Use cases of the procurement service: tender outcomes in. Each validates, writes the
procurement with its bidders and warnings, records an audit entry and commits once."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.kit.audit import AuditEntryOut, record_audit
from municipal_shared.kit.database import commit, utc_now
from municipal_shared.kit.pagination import Page, PageParams, fetch_page
from municipal_shared.kit.problems import InvalidContent, NotFound, field_error
from procurement_service import delivery, rules
from procurement_service import repository as repo
from procurement_service.measurement import Rule
from procurement_service.models import (
    AuditEntry,
    Bidder,
    EmploymentRule,
    Procurement,
    QualityWarning,
)
from procurement_service.schemas import ProcurementIn, ReceivedProcurement


def content_hash(
    body: ProcurementIn, identities: list[rules.Identity], winner_keys: list[str]
) -> str:
    """Fingerprint of an outcome, over its identities rather than the numbers as sent: an
    unkeyed hash of a body holding a personal identity number could be reversed by trying
    every number."""
    payload = body.model_dump(mode="json", exclude={"reason", "reference"})
    for bidder, identity in zip(payload["bidders"], identities, strict=True):
        bidder["organisation_number"] = identity.key
    payload["winners"] = winner_keys
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _identities(
    body: ProcurementIn, secret: bytes, at: str
) -> tuple[list[rules.Identity], list[dict[str, str]]]:
    errors: list[dict[str, str]] = []
    identities: list[rules.Identity] = []
    for i, bidder in enumerate(body.bidders):
        try:
            identities.append(rules.identify(bidder.organisation_number, secret, bidder.scheme))
        except rules.InvalidOrganisationNumber as exc:
            errors.append(field_error(f"{at}/bidders/{i}/organisation_number", str(exc)))
    return identities, errors


def validate(
    body: ProcurementIn, secret: bytes, at: str = "", *, strict: bool = True
) -> tuple[list[rules.Identity], list[str]]:
    """Returns the bidders' identities and the winners' keys, or raises naming every field.
    Messages never repeat an organisation number: it may be a personal identity number.
    Not strict (OCDS, real-world data): a winner who did not bid and a contract signed before
    the award are kept as quality warnings instead of refused."""
    identities, errors = _identities(body, secret, at)
    keys = [i.key for i in identities]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            errors.append(
                field_error(f"{at}/bidders/{i}/organisation_number", "the same bidder twice")
            )
    winner_keys: list[str] = []
    for i, number in enumerate(body.winners):
        try:
            key = rules.winner_identity(number, secret).key
        except rules.InvalidOrganisationNumber as exc:
            errors.append(field_error(f"{at}/winners/{i}", str(exc)))
            continue
        if key not in keys and strict:
            errors.append(field_error(f"{at}/winners/{i}", "a winner must be one of the bidders"))
        winner_keys.append(key)
    signed, awarded = body.contract_signed_date, body.award_date
    if strict and signed and awarded and signed < awarded:
        errors.append(
            field_error(f"{at}/contract_signed_date", "the contract is signed before the award")
        )
    if errors:
        raise InvalidContent(f"Procurement {at} does not hold together".strip(), errors=errors)
    return identities, winner_keys


def _received(body: ProcurementIn) -> ReceivedProcurement:
    """The native format as what every source gives: values in SEK, the bidder list complete."""
    if isinstance(body, ReceivedProcurement):
        return body
    return ReceivedProcurement.model_construct(
        **dict(body),
        estimated_value_currency=None if body.estimated_value is None else "SEK",
        awarded_value_currency=None if body.awarded_value is None else "SEK",
        bidders_listed=True,
        notes=[],
    )


def rows_of(
    body: ProcurementIn, identities: list[rules.Identity], winner_keys: list[str]
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The column values of a procurement, its bidders and its warnings: one mapping used by
    the ORM path and by the bulk insert of new procurements alike."""
    body = _received(body)
    period = body.contract_period
    requirement = body.employment_requirement
    start, end = (period.start_date, period.end_date) if period else (None, None)
    count, count_provenance = rules.bidder_count(
        len(identities), body.bidders_listed, body.number_of_bidders_reported
    )
    procurement = {
        "administration": body.administration,
        "board_code": body.board_code,
        "title": body.title,
        "category": body.category.value if body.category else None,
        "procedure": body.procedure.value if body.procedure else None,
        "advertised": body.advertised,
        "estimated_value": body.estimated_value,
        "estimated_value_currency": body.estimated_value_currency,
        "awarded_value": body.awarded_value,
        "awarded_value_currency": body.awarded_value_currency,
        "contract_start": start,
        "contract_end": end,
        "execution_days": rules.execution_days(start, end) or body.execution_days,
        "employees_needed": body.employees_needed,
        "requirement_set": requirement.set if requirement else None,
        "requirement_suitable": requirement.judged_suitable if requirement else None,
        "requirement_reason": requirement.reason_not_suitable if requirement else None,
        "number_of_bidders_reported": body.number_of_bidders_reported,
        "bidder_count": count,
        "bidder_count_provenance": count_provenance.value,
        "award_date": body.award_date,
        "contract_signed_date": body.contract_signed_date,
        "status": body.status.value,
        "updated_at": utc_now(),
    }
    bidders = []
    for position, (bidder, identity) in enumerate(zip(body.bidders, identities, strict=True), 1):
        cls, provenance = rules.size_class(
            bidder.size_class, bidder.headcount, bidder.turnover_eur, bidder.balance_sheet_total_eur
        )
        bidders.append(
            {
                "position": position,
                "scheme": bidder.scheme,
                "org_key": identity.key,
                "sole_trader": identity.sole_trader,
                "name": None if identity.sole_trader else bidder.name,
                "size_class": cls.value,
                "size_provenance": provenance.value,
                "headcount": bidder.headcount,
                "turnover_eur": bidder.turnover_eur,
                "balance_sheet_total_eur": bidder.balance_sheet_total_eur,
                "reference_year": bidder.reference_year,
                "bids": bidder.bids,
                "is_winner": identity.key in winner_keys,
            }
        )
    facts = rules.Facts(
        procedure=body.procedure,
        status=body.status,
        bidder_keys=[i.key for i in identities],
        winner_keys=winner_keys,
        number_of_bidders_reported=body.number_of_bidders_reported,
        award_date=body.award_date,
        contract_signed_date=body.contract_signed_date,
        contract_start=start,
        bidders_listed=body.bidders_listed,
    )
    warnings = [{"code": n.code, "message": n.message} for n in body.notes]
    warnings += [{"code": c, "message": m} for c, m in rules.quality_warnings(facts)]
    return procurement, bidders, warnings


def _fill(
    procurement: Procurement,
    body: ProcurementIn,
    identities: list[rules.Identity],
    winner_keys: list[str],
) -> None:
    columns, bidders, warnings = rows_of(body, identities, winner_keys)
    for name, value in columns.items():
        setattr(procurement, name, value)
    procurement.bidders = [Bidder(**b) for b in bidders]
    procurement.warnings = [QualityWarning(**w) for w in warnings]


_LOOK_UP = object()  # put_procurement looks the procurement up itself


async def put_procurement(
    session: AsyncSession,
    actor: str,
    municipality_code: str,
    reference: str,
    body: ProcurementIn,
    secret: bytes,
    reason: str,
    *,
    source: str = "native",
    existing: Any = _LOOK_UP,
    mark_dirty: bool = True,
) -> tuple[Procurement, str, list[dt.date | None]]:
    """Idempotent upsert by the buyer's reference; returns the procurement, what happened
    (created, changed or unchanged) and the dates whose tertials changed. Nothing is
    committed here: the caller commits once per request."""
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
        await delivery.mark_dirty(session, municipality_code, dates)
    return procurement, "created" if created else "changed", dates


async def put_one(
    session: AsyncSession,
    actor: str,
    municipality_code: str,
    reference: str,
    body: ProcurementIn,
    secret: bytes,
    reason: str,
) -> tuple[Procurement, str]:
    procurement, what, _ = await put_procurement(
        session, actor, municipality_code, reference, body, secret, reason
    )
    await commit(session)
    return procurement, what


async def put_many(
    session: AsyncSession,
    actor: str,
    municipality_code: str,
    items: list[Any],
    secret: bytes,
    reason: str,
) -> dict[str, int]:
    """All or nothing: every item is validated first, naming each bad one by its index. The
    stored ones are read in one query and the changed tertials marked once."""
    errors: list[dict[str, str]] = []
    seen: set[str] = set()
    validated: dict[str, tuple[list[rules.Identity], list[str]]] = {}
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
        _, what, dates = await put_procurement(
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
    await delivery.mark_dirty(session, municipality_code, changed_dates)
    await commit(session)
    return counts


async def _insert_new(
    session: AsyncSession,
    actor: str,
    municipality_code: str,
    items: list[Any],
    validated: dict[str, tuple[list[rules.Identity], list[str]]],
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


async def find(session: AsyncSession, municipality_code: str, reference: str) -> Procurement:
    procurement = await repo.get_procurement(session, municipality_code, reference)
    if procurement is None:
        raise NotFound(f"No procurement {reference} in {municipality_code}")
    return procurement


async def audit_log(
    session: AsyncSession, municipality_code: str, page: PageParams
) -> Page[AuditEntryOut]:
    """Who changed the municipality's outcomes and rules, newest first."""
    rows, total = await fetch_page(session, repo.audit_query(municipality_code), page)
    return page.of([AuditEntryOut.model_validate(row) for row in rows], total)


async def rule_for(session: AsyncSession, municipality_code: str) -> Rule:
    """The municipality's employment-requirement rule, or Linköping's as the default."""
    stored = await repo.employment_rule(session, municipality_code)
    if stored is None:
        return Rule()
    return Rule(
        tuple(stored.categories),
        stored.min_execution_days,
        stored.min_employees,
        stored.direct_award_threshold_sek,
    )


async def set_employment_rule(
    session: AsyncSession,
    actor: str,
    municipality_code: str,
    categories: list[str],
    more_than_days: int,
    min_employees: int,
    direct_award_threshold_sek: Decimal,
) -> None:
    stored = await repo.employment_rule(session, municipality_code) or EmploymentRule(
        municipality_code=municipality_code
    )
    stored.categories = categories
    stored.min_execution_days, stored.min_employees = more_than_days, min_employees
    stored.direct_award_threshold_sek = direct_award_threshold_sek
    session.add(stored)
    record_audit(
        session,
        AuditEntry,
        actor=actor,
        action="employment_rule.set",
        target=municipality_code,
        reason="Regel för sysselsättningskrav",
        changes=[
            {
                "path": "/employment_rule",
                "old": None,
                "new": {
                    "categories": categories,
                    "more_than_days": more_than_days,
                    "min_employees": min_employees,
                    "direct_award_threshold_sek": str(direct_award_threshold_sek),
                },
            }
        ],
        municipality_code=municipality_code,
    )
    await commit(session)
