"""Request bodies of the procurement service: a tender outcome in the native format, and the
same outcome as read from OCDS (`ReceivedProcurement`, built by rules/ocds_mapping.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated

from pydantic import Field, model_validator

from municipal_shared.contracts.base import RequestModel
from municipal_shared.types import BoardCode
from procurement_service.vocabulary import Category, Procedure, SizeClass, Status

SEK = Annotated[
    Decimal,
    Field(
        ge=0,
        max_digits=18,
        decimal_places=2,
        allow_inf_nan=False,
        description="SEK, exact to the öre.",
    ),
]
EUR = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2, allow_inf_nan=False)]
OrganisationNumber = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        description="The organisation's identifier in the register its `scheme` names: for "
        "SE-BLV a Swedish organisation number, 10 digits (NNNNNN-NNNN); a sole trader's is a "
        "personal identity number and is never stored or returned in clear. A winner of another "
        "register is written `SCHEME:identifier` (e.g. `DK-CVR:25313763`).",
        examples=["556036-0793"],
    ),
]
Scheme = Annotated[
    str,
    Field(
        pattern=r"^[A-Z]{2}-[A-Z0-9]{1,20}$",
        description="Register of the identifier, as an org-id.guide code: SE-BLV (Bolagsverket) "
        "for Swedish organisations, e.g. DK-CVR, NO-ORG, FI-PRO, GB-COH for bidders from abroad.",
        examples=["SE-BLV", "DK-CVR"],
    ),
]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code.")]
Amount = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2, allow_inf_nan=False)]


class ContractPeriod(RequestModel):
    start_date: dt.date
    end_date: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> ContractPeriod:
        if self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class EmploymentRequirementIn(RequestModel):
    """Sysselsättningskrav: a contract clause to employ people far from the labour market."""

    set: bool = Field(description="The requirement was set in the contract.")
    judged_suitable: bool | None = Field(
        default=None, description="The buyer judged the contract suitable for the requirement."
    )
    reason_not_suitable: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _reason_when_unsuitable(self) -> EmploymentRequirementIn:
        if self.judged_suitable is False and not self.reason_not_suitable:
            raise ValueError("give reason_not_suitable when the contract is judged unsuitable")
        return self


class ReceivedBidder(RequestModel):
    """A bidder as every source gives it; OCDS may leave the name out."""

    scheme: Scheme = "SE-BLV"
    organisation_number: OrganisationNumber
    name: str | None = Field(default=None, min_length=1, max_length=300)
    size_class: SizeClass | None = Field(
        default=None, description="As stated by the sender; kept with its provenance."
    )
    headcount: int | None = Field(
        default=None, ge=0, le=10_000_000, description="Staff headcount (AWU)."
    )
    turnover_eur: EUR | None = None
    balance_sheet_total_eur: EUR | None = None
    reference_year: int | None = Field(default=None, ge=1990, le=2100)
    bids: int = Field(default=1, ge=1, le=100, description="Tenders or variants; they count once.")


class BidderIn(ReceivedBidder):
    # The native format names every bidder (narrowed: a BidderIn is a ReceivedBidder).
    name: str = Field(min_length=1, max_length=300)


class Outcome(RequestModel):
    """What every source of a tender outcome gives, the native format and OCDS alike: the
    type the rules and use cases read. What OCDS may leave out is optional here; the native
    format (`ProcurementIn`) narrows it to required, in the same place of the field order."""

    administration: str | None = Field(default=None, min_length=1, max_length=200)
    board_code: BoardCode
    title: str | None = Field(default=None, min_length=1, max_length=500)
    category: Category | None = None
    procedure: Procedure | None = None
    advertised: bool | None = None
    estimated_value: Amount | None = None
    awarded_value: Amount | None = None
    contract_period: ContractPeriod | None = None
    execution_days: int | None = Field(
        default=None,
        ge=1,
        le=36500,
        description="Execution time in days, when no contract period is given.",
    )
    employees_needed: int | None = Field(default=None, ge=0, le=10_000_000)
    employment_requirement: EmploymentRequirementIn | None = None
    bidders: Sequence[ReceivedBidder] = Field(default_factory=list, max_length=500)
    number_of_bidders_reported: int | None = Field(
        default=None,
        ge=0,
        le=100_000,
        description="The count the sender states, checked against bidders.",
    )
    winners: list[OrganisationNumber] = Field(default_factory=list, max_length=100)
    award_date: dt.date | None = None
    contract_signed_date: dt.date | None = None
    status: Status


class ProcurementIn(Outcome):
    """A tender outcome in the native format: everything the measurement needs is required."""

    administration: str = Field(
        min_length=1, max_length=200, examples=["Kommunledningsförvaltningen"]
    )
    title: str = Field(min_length=1, max_length=500)
    category: Category
    procedure: Procedure
    advertised: bool = Field(description="Published so that more suppliers could bid.")
    estimated_value: SEK | None = None
    awarded_value: SEK | None = None
    bidders: list[BidderIn] = Field(default_factory=list, max_length=500)


class ProcurementPut(ProcurementIn):
    reason: str = Field(default="Utfall från upphandlingssystemet", min_length=3, max_length=2000)


class BulkItem(ProcurementIn):
    reference: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$", examples=["KS-2018-0042"])


class BulkIn(RequestModel):
    items: list[BulkItem] = Field(min_length=1, max_length=1000)
    reason: str = Field(default="Utfall från upphandlingssystemet", min_length=3, max_length=2000)


class QualityNote(RequestModel):
    code: str = Field(max_length=60)
    message: str = Field(max_length=500)


class ReceivedProcurement(Outcome):
    """A tender outcome read from OCDS. What the measurement needs but the release lacks is
    None here and a quality warning (`notes`), never a refusal: the figures that need it
    leave the procurement out and say so in their `based_on`."""

    estimated_value_currency: Currency | None = None
    awarded_value_currency: Currency | None = None
    bidders: list[ReceivedBidder] = Field(default_factory=list, max_length=500)
    bidders_listed: bool = Field(
        description="False when the release lists no tenderers: the bidder count is then the "
        "reported numberOfTenderers, and the awarded suppliers stand in as bidders."
    )
    notes: list[QualityNote] = Field(default_factory=list)


class EmploymentRuleIn(RequestModel):
    categories: list[Category] = Field(min_length=1, examples=[["services", "works"]])
    more_than_days: int = Field(ge=0, le=3650, examples=[122])
    min_employees: int = Field(ge=0, le=100000, examples=[2])
    direct_award_threshold_sek: Decimal = Field(ge=0, max_digits=18, decimal_places=2)
