"""Response bodies of the procurement service. A sole trader is shown as such, with its size
class, but never with its number or name."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from municipal_shared.types import PlainDecimal
from procurement_service.models import Procurement
from procurement_service.vocabulary import Category, Procedure, SizeClass, SizeProvenance, Status


class BidderOut(BaseModel):
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
    administration: str
    board_code: str
    title: str
    category: Category
    procedure: Procedure
    advertised: bool
    estimated_value: PlainDecimal | None
    awarded_value: PlainDecimal | None
    contract_start: dt.date | None
    contract_end: dt.date | None
    execution_days: int | None
    employees_needed: int | None
    employment_requirement_set: bool | None
    employment_requirement_judged_suitable: bool | None
    employment_requirement_reason: str | None
    number_of_bidders_reported: int | None
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
        advertised=p.advertised,  # type: ignore[arg-type]
        estimated_value=p.estimated_value,
        awarded_value=p.awarded_value,
        contract_start=p.contract_start,
        contract_end=p.contract_end,
        execution_days=p.execution_days,
        employees_needed=p.employees_needed,
        employment_requirement_set=p.requirement_set,
        employment_requirement_judged_suitable=p.requirement_suitable,
        employment_requirement_reason=p.requirement_reason,
        number_of_bidders_reported=p.number_of_bidders_reported,
        award_date=p.award_date,
        contract_signed_date=p.contract_signed_date,
        status=p.status,
        source=p.source,  # type: ignore[arg-type]
        bidders=[
            BidderOut(
                organisation_number=None if b.sole_trader else b.org_key,
                sole_trader=b.sole_trader,
                name=b.name,
                size_class=b.size_class,  # type: ignore[arg-type]
                size_provenance=b.size_provenance,
                bids=b.bids,
                winner=b.is_winner,  # type: ignore[arg-type]
            )
            for b in p.bidders
        ],
        warnings=[WarningOut(code=w.code, message=w.message) for w in p.warnings],
        updated_at=p.updated_at,
    )
