"""Use cases of the procurement service: tender outcomes in. Each validates, writes the
procurement with its bidders and warnings, records an audit entry and commits once."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.kit.database import commit, utc_now
from municipal_shared.kit.problems import InvalidContent, NotFound
from procurement_service import delivery, rules
from procurement_service import repository as repo
from procurement_service.models import AuditEntry, Bidder, Procurement, QualityWarning
from procurement_service.schemas import ProcurementIn


def content_hash(body: ProcurementIn) -> str:
    payload = body.model_dump(mode="json", exclude={"reason", "reference"})
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _identities(
    body: ProcurementIn, secret: bytes, at: str
) -> tuple[list[rules.Identity], list[dict[str, str]]]:
    errors: list[dict[str, str]] = []
    identities: list[rules.Identity] = []
    for i, bidder in enumerate(body.bidders):
        try:
            identities.append(rules.identify(bidder.organisation_number, secret))
        except rules.InvalidOrganisationNumber as exc:
            errors.append(_error(f"{at}/bidders/{i}/organisation_number", str(exc)))
    return identities, errors


def _error(pointer: str, message: str) -> dict[str, str]:
    return {"pointer": pointer, "location": "body", "message": message, "type": "invalid-content"}


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
            errors.append(_error(f"{at}/bidders/{i}/organisation_number", "the same bidder twice"))
    winner_keys: list[str] = []
    for i, number in enumerate(body.winners):
        try:
            key = rules.identify(number, secret).key
        except rules.InvalidOrganisationNumber as exc:
            errors.append(_error(f"{at}/winners/{i}", str(exc)))
            continue
        if key not in keys and strict:
            errors.append(_error(f"{at}/winners/{i}", "a winner must be one of the bidders"))
        winner_keys.append(key)
    signed, awarded = body.contract_signed_date, body.award_date
    if strict and signed and awarded and signed < awarded:
        errors.append(
            _error(f"{at}/contract_signed_date", "the contract is signed before the award")
        )
    if errors:
        raise InvalidContent(f"Procurement {at} does not hold together".strip(), errors=errors)
    return identities, winner_keys


def _fill(
    procurement: Procurement,
    body: ProcurementIn,
    identities: list[rules.Identity],
    winner_keys: list[str],
) -> None:
    period = body.contract_period
    procurement.administration, procurement.board_code = body.administration, body.board_code
    procurement.title, procurement.category = body.title, body.category
    procurement.procedure, procurement.advertised = body.procedure, body.advertised
    procurement.estimated_value, procurement.awarded_value = (
        body.estimated_value,
        body.awarded_value,
    )
    procurement.contract_start = period.start_date if period else None
    procurement.contract_end = period.end_date if period else None
    procurement.execution_days = rules.execution_days(
        procurement.contract_start, procurement.contract_end
    )
    procurement.employees_needed = body.employees_needed
    requirement = body.employment_requirement
    procurement.requirement_set = requirement.set if requirement else None
    procurement.requirement_suitable = requirement.judged_suitable if requirement else None
    procurement.requirement_reason = requirement.reason_not_suitable if requirement else None
    procurement.number_of_bidders_reported = body.number_of_bidders_reported
    procurement.award_date, procurement.contract_signed_date = (
        body.award_date,
        body.contract_signed_date,
    )
    procurement.status = body.status
    procurement.updated_at = utc_now()
    bidders = []
    for position, (bidder, identity) in enumerate(
        zip(body.bidders, identities, strict=True), start=1
    ):
        cls, provenance = rules.size_class(
            bidder.size_class, bidder.headcount, bidder.turnover_eur, bidder.balance_sheet_total_eur
        )
        bidders.append(
            Bidder(
                position=position,
                org_key=identity.key,
                sole_trader=identity.sole_trader,
                name=None if identity.sole_trader else bidder.name,
                size_class=cls,
                size_provenance=provenance,
                headcount=bidder.headcount,
                turnover_eur=bidder.turnover_eur,
                balance_sheet_total_eur=bidder.balance_sheet_total_eur,
                reference_year=bidder.reference_year,
                bids=bidder.bids,
                is_winner=identity.key in winner_keys,
            )
        )
    procurement.bidders = bidders
    facts = rules.Facts(
        procedure=body.procedure,
        status=body.status,
        bidder_keys=[i.key for i in identities],
        winner_keys=winner_keys,
        number_of_bidders_reported=body.number_of_bidders_reported,
        award_date=body.award_date,
        contract_signed_date=body.contract_signed_date,
        contract_start=procurement.contract_start,
    )
    procurement.warnings = [
        QualityWarning(code=c, message=m) for c, m in rules.quality_warnings(facts)
    ]


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
) -> tuple[Procurement, str]:
    """Idempotent upsert by the buyer's reference; returns what happened (created, changed or
    unchanged). Nothing is committed here: the caller commits once per request."""
    identities, winner_keys = validate(body, secret, strict=source == "native")
    digest = content_hash(body)
    procurement = await repo.get_procurement(session, municipality_code, reference)
    if procurement is not None and procurement.content_hash == digest:
        return procurement, "unchanged"
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
    session.add(
        AuditEntry(
            municipality_code=municipality_code,
            actor=actor,
            action="procurement.created" if created else "procurement.changed",
            target=f"{municipality_code}/{reference}",
            reason=reason,
            changes=[
                {"path": "/content_hash", "old": None if created else "previous", "new": digest}
            ],
        )
    )
    await session.flush()
    await delivery.mark_dirty(
        session,
        municipality_code,
        [*old_dates, procurement.award_date, procurement.contract_signed_date],
    )
    return procurement, "created" if created else "changed"


async def put_one(
    session: AsyncSession,
    actor: str,
    municipality_code: str,
    reference: str,
    body: ProcurementIn,
    secret: bytes,
    reason: str,
) -> tuple[Procurement, str]:
    procurement, what = await put_procurement(
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
    """All or nothing: every item is validated first, naming each bad one by its index."""
    errors: list[dict[str, str]] = []
    references = [item.reference for item in items]
    for i, item in enumerate(items):
        if item.reference in references[:i]:
            errors.append(_error(f"/items/{i}/reference", "the same reference twice"))
        try:
            validate(item, secret, at=f"/items/{i}")
        except InvalidContent as exc:
            errors += exc.extensions["errors"]
    if errors:
        raise InvalidContent(
            "Some outcomes do not hold together; nothing was stored", errors=errors
        )
    counts = {"created": 0, "changed": 0, "unchanged": 0}
    for item in items:
        _, what = await put_procurement(
            session, actor, municipality_code, item.reference, item, secret, reason
        )
        counts[what] += 1
    await commit(session)
    return counts


async def find(session: AsyncSession, municipality_code: str, reference: str) -> Procurement:
    procurement = await repo.get_procurement(session, municipality_code, reference)
    if procurement is None:
        raise NotFound(f"No procurement {reference} in {municipality_code}")
    return procurement
