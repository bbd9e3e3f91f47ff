"""One real-looking OCDS procurement (Linköping, KS-2018-007, lokalvård) as four successive
releases (planning, tender, award, contract), and the native outcome it must map to. Shared by
the OCDS unit tests and the API tests."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

from procurement_service.rules.ocds import compile_releases
from procurement_service.schemas import (
    BidderIn,
    ContractPeriod,
    EmploymentRequirementIn,
    ProcurementIn,
)
from procurement_service.vocabulary import Category, Procedure, SizeClass, Status

# --- the fixture: one procurement, four releases ------------------------------------------

OCID = "ocds-abc123-0580-KS-2018-007"
TENDER_ID = "KS-2018-007"
BUYER_NUMBER = "212000-0449"
MICRO_NUMBER = "559014-2310"
MEDIUM_NUMBER = "556789-0123"
LARGE_NUMBER = "556036-0793"
MICRO = {"id": f"SE-BLV-{MICRO_NUMBER}", "name": "Lokalvårdarna i Linköping AB"}
MEDIUM = {"id": f"SE-BLV-{MEDIUM_NUMBER}", "name": "Östgöta Fastighetsservice AB"}
LARGE = {"id": f"SE-BLV-{LARGE_NUMBER}", "name": "Nordisk Facilitetsservice AB"}
BUYER = {"id": f"SE-BLV-{BUYER_NUMBER}", "name": "Linköpings kommun Kommunledningsförvaltningen"}
TITLE = "Lokalvård i kommunens förvaltningsbyggnader"
CONTRACT_PERIOD = {
    "startDate": "2018-09-01T00:00:00+02:00",
    "endDate": "2019-08-31T23:59:59+02:00",
}
EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_partyDetails_scale_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_bid_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_sustainability_extension/master/extension.json",
]


def _party(ref: dict[str, str], number: str, scale: str | None, roles: list[str]) -> dict:
    party: dict[str, Any] = {
        **ref,
        "identifier": {"scheme": "SE-BLV", "id": number, "legalName": ref["name"]},
        "address": {"locality": "Linköping", "countryName": "Sverige"},
        "roles": roles,
    }
    if scale is not None:
        party["details"] = {"scale": scale}
    return party


BUYER_PARTY = {
    **_party(BUYER, BUYER_NUMBER, None, ["buyer", "procuringEntity"]),
    "contactPoint": {"name": "Upphandlingsenheten", "email": "upphandling@linkoping.se"},
}

PLANNING = {
    "ocid": OCID,
    "id": f"{OCID}-01-planning",
    "date": "2018-01-15T10:00:00+01:00",
    "tag": ["planning"],
    "initiationType": "tender",
    "language": "sv",
    "parties": [BUYER_PARTY],
    "buyer": BUYER,
    "planning": {"rationale": "Nuvarande avtal om lokalvård löper ut 2018-08-31."},
    "tender": {
        "id": TENDER_ID,
        "title": TITLE,
        "status": "planned",
        "mainProcurementCategory": "services",
        "procurementMethod": "open",
        "value": {"amount": 2000000, "currency": "SEK"},
    },
}

TENDER = {
    "ocid": OCID,
    "id": f"{OCID}-02-tender",
    "date": "2018-04-17T10:00:00+02:00",
    "tag": ["tender"],
    "initiationType": "tender",
    "language": "sv",
    "parties": [
        BUYER_PARTY,
        _party(MICRO, MICRO_NUMBER, "micro", ["tenderer"]),
        _party(MEDIUM, MEDIUM_NUMBER, "medium", ["tenderer"]),
        _party(LARGE, LARGE_NUMBER, "large", ["tenderer"]),
    ],
    "buyer": BUYER,
    "tender": {
        "id": TENDER_ID,
        "title": TITLE,
        "description": "Daglig lokalvård och fönsterputs i stadshuset och tre förvaltningshus.",
        "status": "active",
        "procuringEntity": BUYER,
        "value": {"amount": 2000000, "currency": "SEK"},
        "procurementMethod": "open",
        "procurementMethodDetails": "Öppet förfarande (LOU 6 kap.)",
        "mainProcurementCategory": "services",
        "tenderPeriod": {
            "startDate": "2018-03-01T09:00:00+01:00",
            "endDate": "2018-04-16T23:59:59+02:00",
        },
        "contractPeriod": {**CONTRACT_PERIOD, "durationInDays": 365},
        "hasSustainability": True,
        "sustainability": [
            {
                "goal": "social.disadvantagedEmploymentOpportunities",
                "strategies": ["contractPerformanceConditions"],
            }
        ],
        "employeesNeeded": 2,
        "tenderers": [MICRO, MEDIUM, LARGE],
        "numberOfTenderers": 3,
    },
}

AWARD_ID = f"{TENDER_ID}-1"
AWARD = {
    "ocid": OCID,
    "id": f"{OCID}-03-award",
    "date": "2018-06-12T14:00:00+02:00",
    "tag": ["award"],
    "initiationType": "tender",
    "parties": [_party(MICRO, MICRO_NUMBER, "micro", ["tenderer", "supplier"])],
    "tender": {"id": TENDER_ID, "status": "complete"},
    "bids": {
        "statistics": [
            {"id": "1", "measure": "bids", "value": 4},
            {"id": "2", "measure": "bidders", "value": 3},
            {"id": "3", "measure": "smeBids", "value": 3},
            {"id": "4", "measure": "microBids", "value": 1},
            {"id": "5", "measure": "mediumBids", "value": 2},
        ],
        "details": [
            {"id": "A1", "tenderers": [MICRO], "status": "valid"},
            {"id": "A2", "tenderers": [MEDIUM], "status": "valid"},
            {"id": "A3", "tenderers": [MEDIUM], "status": "valid", "variant": True},
            {"id": "A4", "tenderers": [LARGE], "status": "valid"},
        ],
    },
    "awards": [
        {
            "id": AWARD_ID,
            "title": "Tilldelning: lokalvård",
            "date": "2018-06-12T14:00:00+02:00",
            "status": "active",
            "suppliers": [MICRO],
            "value": {"amount": 1849500, "currency": "SEK"},
            "contractPeriod": CONTRACT_PERIOD,
        }
    ],
}

CONTRACT = {
    "ocid": OCID,
    "id": f"{OCID}-04-contract",
    "date": "2018-06-28T11:00:00+02:00",
    "tag": ["contract"],
    "initiationType": "tender",
    "contracts": [
        {
            "id": f"{TENDER_ID}-C1",
            "awardID": AWARD_ID,
            "title": "Avtal om lokalvård",
            "status": "active",
            "dateSigned": "2018-06-28T11:00:00+02:00",
            "period": CONTRACT_PERIOD,
            "value": {"amount": 1849500, "currency": "SEK"},
        }
    ],
}

RELEASES = [PLANNING, TENDER, AWARD, CONTRACT]
PUBLISHER = {"name": "Linköpings kommun", "scheme": "SE-BLV", "uid": BUYER_NUMBER}
PACKAGE_URI = "https://upphandling.linkoping.se/ocds/KS-2018-007.json"


def release_package(releases: list[dict] | None = None) -> dict:
    return {
        "uri": PACKAGE_URI,
        "version": "1.1",
        "extensions": EXTENSIONS,
        "publishedDate": "2018-06-28T12:00:00+02:00",
        "publisher": PUBLISHER,
        "license": "https://creativecommons.org/publicdomain/zero/1.0/",
        "releases": copy.deepcopy(RELEASES if releases is None else releases),
    }


def record_package() -> dict:
    return {
        "uri": "https://upphandling.linkoping.se/ocds/records/KS-2018-007.json",
        "version": "1.1",
        "extensions": EXTENSIONS,
        "publishedDate": "2018-06-28T12:00:00+02:00",
        "publisher": PUBLISHER,
        "packages": [PACKAGE_URI],
        "records": [
            {
                "ocid": OCID,
                "releases": copy.deepcopy(RELEASES),
                "compiledRelease": compile_releases(copy.deepcopy(RELEASES)),
            }
        ],
    }


def linked_record_package(compiled: dict, releases: list[dict]) -> dict:
    """A record package as many publishers make it: the releases only linked (url, date,
    tag), the content in a publisher-made compiledRelease."""
    return {
        "uri": "https://example.org/records.json",
        "version": "1.1",
        "publishedDate": "2018-06-28T12:00:00+02:00",
        "publisher": {"name": "Linköpings kommun"},
        "records": [
            {
                "ocid": compiled["ocid"],
                "releases": [
                    {"url": f"https://example.org/r.json#{r['id']}", "date": r["date"]}
                    | ({"tag": r["tag"]} if "tag" in r else {})
                    for r in releases
                ],
                "compiledRelease": copy.deepcopy(compiled),
            }
        ],
    }


EXPECTED = ProcurementIn(
    administration="Linköpings kommun Kommunledningsförvaltningen",
    board_code="KS",
    title="Lokalvård i kommunens förvaltningsbyggnader",
    category=Category.SERVICES,
    procedure=Procedure.OPEN,
    advertised=True,
    estimated_value=Decimal("2000000"),
    awarded_value=Decimal("1849500"),
    contract_period=ContractPeriod(start_date=dt.date(2018, 9, 1), end_date=dt.date(2019, 8, 31)),
    employees_needed=2,
    employment_requirement=EmploymentRequirementIn(set=True, judged_suitable=True),
    bidders=[
        BidderIn(
            organisation_number="559014-2310",
            name="Lokalvårdarna i Linköping AB",
            size_class=SizeClass.MICRO,
            bids=1,
        ),
        BidderIn(
            organisation_number="556789-0123",
            name="Östgöta Fastighetsservice AB",
            size_class=SizeClass.MEDIUM,
            bids=2,
        ),
        BidderIn(
            organisation_number="556036-0793",
            name="Nordisk Facilitetsservice AB",
            size_class=SizeClass.LARGE,
            bids=1,
        ),
    ],
    number_of_bidders_reported=3,
    winners=["559014-2310"],
    award_date=dt.date(2018, 6, 12),
    contract_signed_date=dt.date(2018, 6, 28),
    status=Status.CONTRACT_SIGNED,
)
