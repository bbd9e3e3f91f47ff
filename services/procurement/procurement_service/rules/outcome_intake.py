"""A tender outcome checked whole, fingerprinted and turned into rows: the same for a native
outcome and for one read from OCDS, and for the one-by-one and the bulk path alike.

Messages never repeat an organisation number: it may be a personal identity number."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from municipal_shared.kit.problems import InvalidContent, field_error
from procurement_service.rules.procurement import (
    Facts,
    Identity,
    InvalidOrganisationNumber,
    bidder_count,
    execution_days,
    identify,
    quality_warnings,
    size_class,
    winner_identity,
)
from procurement_service.schemas import Outcome, ReceivedProcurement


def content_hash(body: Outcome, identities: list[Identity], winner_keys: list[str]) -> str:
    """Fingerprint of an outcome, over its identities rather than the numbers as sent: an
    unkeyed hash of a body holding a personal identity number could be reversed by trying
    every number."""
    payload = body.model_dump(mode="json", exclude={"reason", "reference"})
    for bidder, identity in zip(payload["bidders"], identities, strict=True):
        bidder["organisation_number"] = identity.key
    payload["winners"] = winner_keys
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


# One request's identities by (scheme, number as written; "" for a winner's `SCHEME:id`):
# a bulk request names the same companies in many outcomes, identified (and a sole trader
# pseudonymised) once each. Kept for the request only.
Known = dict[tuple[str, str], Identity]


def _identify(number: str, secret: bytes, scheme: str, known: Known | None) -> Identity:
    if known is None:
        return identify(number, secret, scheme)
    found = known.get((scheme, number))
    if found is None:
        found = known[(scheme, number)] = identify(number, secret, scheme)
    return found


def _winner(written: str, secret: bytes, known: Known | None) -> Identity:
    if known is None:
        return winner_identity(written, secret)
    found = known.get(("", written))
    if found is None:
        found = known[("", written)] = winner_identity(written, secret)
    return found


def _identities(
    body: Outcome, secret: bytes, at: str, known: Known | None
) -> tuple[list[Identity], list[dict[str, str]]]:
    errors: list[dict[str, str]] = []
    identities: list[Identity] = []
    for i, bidder in enumerate(body.bidders):
        try:
            identities.append(_identify(bidder.organisation_number, secret, bidder.scheme, known))
        except InvalidOrganisationNumber as exc:
            errors.append(field_error(f"{at}/bidders/{i}/organisation_number", str(exc)))
    return identities, errors


def validate(
    body: Outcome,
    secret: bytes,
    at: str = "",
    *,
    strict: bool = True,
    known: Known | None = None,
) -> tuple[list[Identity], list[str]]:
    """Returns the bidders' identities and the winners' keys, or raises naming every field.
    Messages never repeat an organisation number: it may be a personal identity number.
    Not strict (OCDS, real-world data): a winner who did not bid and a contract signed before
    the award are kept as quality warnings instead of refused. `known`: the identities found
    so far in the request, added to."""
    identities, errors = _identities(body, secret, at, known)
    keys = [i.key for i in identities]
    if len(set(keys)) < len(keys):
        for i, key in enumerate(keys):
            if key in keys[:i]:
                message = "the same bidder twice"
                errors.append(field_error(f"{at}/bidders/{i}/organisation_number", message))
    winner_keys: list[str] = []
    for i, number in enumerate(body.winners):
        try:
            key = _winner(number, secret, known).key
        except InvalidOrganisationNumber as exc:
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


def rows_of(
    body: Outcome, identities: list[Identity], winner_keys: list[str]
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The column values of a procurement, its bidders and its warnings: one mapping used by
    the ORM path and by the bulk insert of new procurements alike."""
    # What only a received outcome (OCDS) says, read without building one for a native
    # outcome (a model per outcome cost a bulk request a tenth of its time).
    if isinstance(body, ReceivedProcurement):
        estimated_currency, awarded_currency = (
            body.estimated_value_currency,
            body.awarded_value_currency,
        )
        listed, notes = body.bidders_listed, body.notes
    else:
        estimated_currency = None if body.estimated_value is None else "SEK"
        awarded_currency = None if body.awarded_value is None else "SEK"
        listed, notes = True, []
    period = body.contract_period
    requirement = body.employment_requirement
    start, end = (period.start_date, period.end_date) if period else (None, None)
    count, count_provenance = bidder_count(len(identities), listed, body.number_of_bidders_reported)
    procurement = {
        "administration": body.administration,
        "board_code": body.board_code,
        "title": body.title,
        "category": body.category.value if body.category else None,
        "procedure": body.procedure.value if body.procedure else None,
        "advertised": body.advertised,
        "estimated_value": body.estimated_value,
        "estimated_value_currency": estimated_currency,
        "awarded_value": body.awarded_value,
        "awarded_value_currency": awarded_currency,
        "contract_start": start,
        "contract_end": end,
        "execution_days": execution_days(start, end) or body.execution_days,
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
    }
    bidders = []
    for position, (bidder, identity) in enumerate(zip(body.bidders, identities, strict=True), 1):
        cls, provenance = size_class(
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
    facts = Facts(
        procedure=body.procedure,
        status=body.status,
        bidder_keys=[i.key for i in identities],
        winner_keys=winner_keys,
        number_of_bidders_reported=body.number_of_bidders_reported,
        award_date=body.award_date,
        contract_signed_date=body.contract_signed_date,
        contract_start=start,
        bidders_listed=listed,
    )
    warnings = [{"code": n.code, "message": n.message} for n in notes]
    warnings += [{"code": c, "message": m} for c, m in quality_warnings(facts)]
    return procurement, bidders, warnings
