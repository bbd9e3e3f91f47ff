"""Response bodies of the procurement service. A sole trader is shown as such, with its size
class, but never with its number or name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from municipal_shared.types import PlainDecimal
from procurement_service.models import Procurement
from procurement_service.vocabulary import (
    BidderCount,
    Category,
    Procedure,
    SizeClass,
    SizeProvenance,
    Status,
)


class BidderOut(BaseModel):
    scheme: str = Field(description="Register of the identifier: SE-BLV, or e.g. DK-CVR.")
    organisation_number: str | None = Field(description="Null for a sole trader (personal data).")
    sole_trader: bool
    name: str | None
    size_class: SizeClass
    size_provenance: SizeProvenance
    bids: int
    winner: bool


class WarningOut(BaseModel):
    code: str
    message: str


class ProcurementOut(BaseModel):
    municipality_code: str
    reference: str
    administration: str | None
    board_code: str
    title: str | None
    category: Category | None
    procedure: Procedure | None
    advertised: bool | None
    estimated_value: PlainDecimal | None
    estimated_value_currency: str | None
    awarded_value: PlainDecimal | None
    awarded_value_currency: str | None
    contract_start: dt.date | None
    contract_end: dt.date | None
    execution_days: int | None
    employees_needed: int | None
    employment_requirement_set: bool | None
    employment_requirement_judged_suitable: bool | None
    employment_requirement_reason: str | None
    number_of_bidders_reported: int | None
    bidder_count: int | None = Field(description="Null when unknown (left out of the figures).")
    bidder_count_provenance: BidderCount
    award_date: dt.date | None
    contract_signed_date: dt.date | None
    status: Status
    source: str
    bidders: list[BidderOut]
    warnings: list[WarningOut]
    updated_at: dt.datetime


class BulkResult(BaseModel):
    created: int
    changed: int
    unchanged: int


def procurement_out(p: Procurement) -> ProcurementOut:
    return ProcurementOut(
        municipality_code=p.municipality_code,
        reference=p.reference,
        administration=p.administration,
        board_code=p.board_code,
        title=p.title,
        category=p.category,
        procedure=p.procedure,
        advertised=p.advertised,
        estimated_value=p.estimated_value,
        estimated_value_currency=p.estimated_value_currency,
        awarded_value=p.awarded_value,
        awarded_value_currency=p.awarded_value_currency,
        contract_start=p.contract_start,
        contract_end=p.contract_end,
        execution_days=p.execution_days,
        employees_needed=p.employees_needed,
        employment_requirement_set=p.requirement_set,
        employment_requirement_judged_suitable=p.requirement_suitable,
        employment_requirement_reason=p.requirement_reason,
        number_of_bidders_reported=p.number_of_bidders_reported,
        bidder_count=p.bidder_count,
        bidder_count_provenance=p.bidder_count_provenance,
        award_date=p.award_date,
        contract_signed_date=p.contract_signed_date,
        status=p.status,
        source=p.source,
        bidders=[
            BidderOut(
                scheme=b.scheme,
                organisation_number=None
                if b.sole_trader
                else b.org_key.removeprefix(f"{b.scheme}:"),
                sole_trader=b.sole_trader,
                name=b.name,
                size_class=b.size_class,
                size_provenance=b.size_provenance,
                bids=b.bids,
                winner=b.is_winner,
            )
            for b in p.bidders
        ],
        warnings=[WarningOut(code=w.code, message=w.message) for w in p.warnings],
        updated_at=p.updated_at,
    )


class OcdsResult(BaseModel):
    stored: int
    unchanged: int
    procurements: list[str]


class DeadLetter(BaseModel):
    id: int
    destination: str
    path: str
    idempotency_key: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: dt.datetime


class EmploymentRuleOut(BaseModel):
    """The municipality's rule for when an employment requirement is expected, as set."""

    categories: list[Category]
    more_than_days: int
    min_employees: int
    direct_award_threshold_sek: Decimal


class OutboxState(BaseModel):
    pending: int
    delivered: int
    dead: int


class OcdsPublisher(BaseModel):
    name: str
    scheme: str | None = None
    uid: str | None = None


class OcdsLinks(BaseModel):
    next: str | None = Field(default=None, description="The next page of the feed.")


class OcdsPackage(BaseModel):
    """The envelope of an OCDS 1.1 package (release-package-schema.json and
    record-package-schema.json): what the service publishes, so OCDS tools can harvest it."""

    model_config = ConfigDict(populate_by_name=True)

    uri: str
    version: str = Field(examples=["1.1"])
    extensions: list[str]
    published_date: str = Field(alias="publishedDate")
    publisher: OcdsPublisher
    license: str | None = None
    links: OcdsLinks | None = None


class OcdsReleasePackage(OcdsPackage):
    releases: list[dict[str, Any]] = Field(
        description="OCDS 1.1 releases (release-schema.json with the partyScale, bids and "
        "sustainability extensions), in the order they were stored."
    )


class OcdsRecord(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    ocid: str
    releases: list[dict[str, Any]] = Field(
        description="The process's releases in date order, as received after redaction (or "
        "linked by date and tag, where the publisher sent only its compiled release)."
    )
    compiled_release: dict[str, Any] = Field(alias="compiledRelease")


class OcdsRecordPackage(OcdsPackage):
    records: list[OcdsRecord]
