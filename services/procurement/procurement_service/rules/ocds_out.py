"""OCDS 1.1 out: releases, records and their packages for open-data users and OCDS tools.

Why a release of our own for a native outcome: OCDS tools read releases, and an outcome that
arrived in the native format has none. Each stored version of a native outcome is one release
(`{ocid}-{row_version}`, dated when the version was stored), written with the same fields and
extensions the intake reads (ocds_reading.py), so posting it back would give the same outcome.
A sole trader appears only by the pseudonym the service stores (rules/personal_data.py), as in
the releases received: the service never had their number or name to publish.

Releases received in OCDS are published as stored, that is as received after redaction; the
compiled release follows the OCDS merge rules (rules/ocds.py), with OCDS's `compiled` tag.
Pure functions only: no I/O, no clock, so the same data gives the same bytes (and ETag)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from municipal_shared.types import json_number
from procurement_service.models import Bidder, Procurement
from procurement_service.rules.ocds import compile_releases
from procurement_service.rules.ocds_mapping import EMPLOYMENT_GOAL
from procurement_service.rules.ocds_reading import ORGANISATION_NUMBER_SCHEME
from procurement_service.vocabulary import Procedure, SizeClass, Status

VERSION = "1.1"
# The extensions whose fields the published releases use: the ones the intake reads.
EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_partyDetails_scale_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_bid_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_sustainability_extension/master/extension.json",
]
_TAGS = {
    Status.PLANNED: "planning",
    Status.TENDERING: "tender",
    Status.AWARDED: "award",
    Status.CONTRACT_SIGNED: "contract",
    Status.CANCELLED: "tenderCancellation",
    Status.UNSUCCESSFUL: "tenderUpdate",
}
_TENDER_STATUS = {
    Status.PLANNED: "planned",
    Status.TENDERING: "active",
    Status.AWARDED: "complete",
    Status.CONTRACT_SIGNED: "complete",
    Status.CANCELLED: "cancelled",
    Status.UNSUCCESSFUL: "unsuccessful",
}
_METHODS = {
    Procedure.OPEN: "open",
    Procedure.SELECTIVE: "selective",
    Procedure.NEGOTIATED: "limited",
}
_SCALES: dict[str, str] = {c.value: c.value for c in SizeClass if c is not SizeClass.NO_DATA}


@dataclass(frozen=True)
class Publisher:
    """Who publishes a municipality's packages, and where its native outcomes' ocids start."""

    name: str
    organisation_number: str  # the buyer's, NNNNNN-NNNN
    ocid_prefix: str
    license: str | None = None

    def ocid_of(self, municipality_code: str, reference: str) -> str:
        return f"{self.ocid_prefix}-{municipality_code}-{reference}"

    def reference_of(self, municipality_code: str, ocid: str) -> str | None:
        """The native reference an ocid of ours names, else None."""
        start = f"{self.ocid_prefix}-{municipality_code}-"
        return ocid.removeprefix(start) if ocid.startswith(start) else None


def timestamp(moment: dt.datetime) -> str:
    """RFC 3339 in UTC, with microseconds only when there are any."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _day(day: dt.date, end: bool = False) -> str:
    return f"{day.isoformat()}T{'23:59:59' if end else '00:00:00'}Z"


def _amount(value: Decimal, currency: str | None) -> dict[str, Any]:
    number = json_number(value)  # OCDS wants a number
    return {"amount": number, "currency": currency} if currency else {"amount": number}


def _party_id(bidder: Bidder) -> tuple[str, str]:
    """(OCDS party id, identifier) of a bidder: a sole trader by its pseudonym only."""
    identifier = bidder.org_key
    if bidder.scheme != ORGANISATION_NUMBER_SCHEME:
        identifier = identifier.removeprefix(f"{bidder.scheme}:")
    return f"{bidder.scheme}-{identifier}", identifier


def native_release(p: Procurement, publisher: Publisher) -> dict[str, Any]:
    """The release of a native outcome's stored version."""
    ocid = publisher.ocid_of(p.municipality_code, p.reference)
    buyer_id = f"{ORGANISATION_NUMBER_SCHEME}-{publisher.organisation_number}"
    buyer = {"id": buyer_id, "name": p.administration or publisher.name}
    parties: list[dict[str, Any]] = [
        {
            **buyer,
            "identifier": {
                "scheme": ORGANISATION_NUMBER_SCHEME,
                "id": publisher.organisation_number,
            },
            "roles": ["buyer", "procuringEntity"],
        }
    ]
    tenderers, winners, bids = [], [], []
    for bidder in p.bidders:
        party_id, identifier = _party_id(bidder)
        reference = {"id": party_id, "name": bidder.name or identifier}
        party: dict[str, Any] = {
            **reference,
            "identifier": {"scheme": bidder.scheme, "id": identifier},
            "roles": ["tenderer", "supplier"] if bidder.is_winner else ["tenderer"],
        }
        if bidder.size_class in _SCALES:
            party["details"] = {"scale": _SCALES[bidder.size_class]}
        parties.append(party)
        tenderers.append(reference)
        winners += [reference] if bidder.is_winner else []
        bids += [
            {"id": f"{bidder.position}-{n}", "tenderers": [reference], "status": "valid"}
            for n in range(1, bidder.bids + 1)
        ]
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-{p.row_version}",
        "date": timestamp(p.updated_at),
        "tag": [_TAGS[Status(p.status)]],
        "initiationType": "tender",
        "language": "sv",
        "parties": parties,
        "buyer": buyer,
        "tender": _tender(p, tenderers),
    }
    if bids:
        release["bids"] = {"details": bids}
    awarded = Status(p.status) in (Status.AWARDED, Status.CONTRACT_SIGNED)
    if awarded or winners or p.award_date or p.awarded_value is not None:
        award: dict[str, Any] = {"id": f"{p.reference}-award", "status": "active"}
        if p.award_date:
            award["date"] = _day(p.award_date)
        if p.awarded_value is not None:
            award["value"] = _amount(p.awarded_value, p.awarded_value_currency)
        if winners:
            award["suppliers"] = winners
        release["awards"] = [award]
        if p.contract_signed_date:
            contract: dict[str, Any] = {
                "id": f"{p.reference}-contract",
                "awardID": award["id"],
                "status": "active",
                "dateSigned": _day(p.contract_signed_date),
            }
            if "contractPeriod" in release["tender"]:
                contract["period"] = release["tender"]["contractPeriod"]
            release["contracts"] = [contract]
    return release


def _tender(p: Procurement, tenderers: list[dict[str, Any]]) -> dict[str, Any]:
    tender: dict[str, Any] = {"id": p.reference, "status": _TENDER_STATUS[Status(p.status)]}
    if p.title:
        tender["title"] = p.title
    if p.category:
        tender["mainProcurementCategory"] = p.category
    if p.procedure == Procedure.DIRECT_AWARD:
        # Read back as a direct award by its Swedish name; `direct` only when not advertised.
        tender["procurementMethod"] = "open" if p.advertised else "direct"
        tender["procurementMethodDetails"] = "Direktupphandling"
    elif p.procedure:
        tender["procurementMethod"] = _METHODS[Procedure(p.procedure)]
    if p.estimated_value is not None:
        tender["value"] = _amount(p.estimated_value, p.estimated_value_currency)
    if p.contract_start and p.contract_end:
        tender["contractPeriod"] = {
            "startDate": _day(p.contract_start),
            "endDate": _day(p.contract_end, end=True),
        }
    if p.employees_needed is not None:
        tender["employeesNeeded"] = p.employees_needed
    if p.requirement_set:
        tender["hasSustainability"] = True
        tender["sustainability"] = [{"goal": EMPLOYMENT_GOAL}]
    if p.bidder_count_provenance == "listed":
        tender["tenderers"] = tenderers
    reported = p.number_of_bidders_reported
    if reported is not None or p.bidder_count_provenance == "listed":
        tender["numberOfTenderers"] = reported if reported is not None else len(tenderers)
    return tender


def compiled_release(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """The current state of one contracting process by the OCDS merge rules, tagged as
    compiled; its id names the process and the date of the newest release merged."""
    compiled = compile_releases(releases)
    compiled["tag"] = ["compiled"]
    compiled["id"] = f"{compiled['ocid']}-compiled-{compiled.get('date', 'undated')}"
    return compiled


def record(
    ocid: str, releases: list[dict[str, Any]], compiled: list[dict[str, Any]]
) -> dict[str, Any]:
    """The record of one ocid: its releases in date order and the compiled release. Where a
    publisher sent only its compiledRelease (its record linked releases it did not send),
    that is published as the compiled release and its releases are linked by date and tag
    (OCDS allows a null url: the service never had them)."""
    if releases:
        ordered = sorted(releases, key=lambda r: str(r.get("date", "")))
        merged = compiled_release([*compiled, *releases])
        return {"ocid": ocid, "releases": ordered, "compiledRelease": merged}
    newest = max(compiled, key=lambda r: str(r.get("date", "")))
    links = [{"url": None, "date": r["date"], "tag": r.get("tag", [])} for r in compiled]
    return {"ocid": ocid, "releases": links, "compiledRelease": newest}


def package(
    kind: str,
    items: list[dict[str, Any]],
    *,
    uri: str,
    published: dt.datetime,
    publisher: Publisher,
    next_uri: str | None = None,
) -> dict[str, Any]:
    """A release package (`kind` "releases") or record package ("records") around items.
    `links.next` (as OCDS 1.2 and harvesters such as Kingfisher Collect read it) leads to the
    next page of a feed."""
    body: dict[str, Any] = {
        "uri": uri,
        "version": VERSION,
        "extensions": EXTENSIONS,
        "publishedDate": timestamp(published),
        "publisher": {
            "name": publisher.name,
            "scheme": ORGANISATION_NUMBER_SCHEME,
            "uid": publisher.organisation_number,
        },
    }
    if publisher.license:
        body["license"] = publisher.license
    body[kind] = items
    if next_uri is not None:
        body["links"] = {"next": next_uri}
    return body


# --- the feed's cursor ----------------------------------------------------------------------

OCDS_RELEASE, NATIVE = 0, 1  # at the same moment, received releases sort first


@dataclass(frozen=True, order=True)
class Position:
    """Where an item sits in the feed: when it was stored, which kind, which row."""

    moment: dt.datetime
    kind: int
    row: int

    def cursor(self) -> str:
        text = f"{timestamp(self.moment)}|{self.kind}|{self.row}"
        return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


def position_of(cursor: str) -> Position:
    """The position a cursor names; ValueError when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, kind, row = text.split("|")
        when = dt.datetime.fromisoformat(moment)
        if when.tzinfo is None or int(kind) not in (OCDS_RELEASE, NATIVE):
            raise ValueError("not a cursor of this feed")
        return Position(when.astimezone(dt.UTC), int(kind), int(row))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError("not a cursor of this feed") from exc
