"""The part of OCDS 1.1 that the procurement service reads, as pydantic models.

Tender outcomes also arrive as Open Contracting Data Standard release and record packages
(with the partyScale, bids and sustainability extensions). Releases are stored exactly as
received, so every model keeps fields it does not know (`extra="allow"`); but the fields the
service does read are type-checked here, because a string where OCDS wants a number (or a code
outside a closed codelist) would otherwise turn into a wrong count or sum much later. Amounts
are read as `Decimal` so that JSON numbers never go through binary floating point.

The whole OCDS schema is checked before these models see a release (rules/ocds_validation.py); the
models type the fields we map, and the two fields of our own that the schema does not know
(`tender.employeesNeeded`). Compiled releases are read through the same model, so what the
merge keeps optional stays optional here.
Field names are snake_case with the OCDS camelCase names as aliases; error locations use the
OCDS names.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    StrictInt,
    StrictStr,
)
from pydantic.alias_generators import to_camel

from municipal_shared.types import json_number

__all__ = [
    "Award",
    "Bid",
    "Bids",
    "Contract",
    "Identifier",
    "OrganizationReference",
    "Party",
    "PartyDetails",
    "Period",
    "Release",
    "Statistic",
    "Sustainability",
    "Tender",
    "Value",
]


def _number(value: Any) -> Decimal:
    # bool is an int in Python but not a number in JSON; a numeric string is not a number either.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("must be a JSON number")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError("must be a finite number")
    return number


def _identifier(value: Any) -> str | int:
    # OCDS allows integer identifiers for organisations, tenders, awards and contracts.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError("must be a string or an integer")
    if value == "":
        raise ValueError("must not be empty")
    return value


def _date_time(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise ValueError("must be a date-time string (RFC 3339)")
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("must be a date-time string (RFC 3339)") from None


def _currency(value: Any) -> str:
    if not isinstance(value, str) or len(value) != 3 or not value.isascii() or not value.isupper():
        raise ValueError("must be a three-letter ISO 4217 currency code")
    return value


Number = Annotated[Decimal, PlainValidator(_number), PlainSerializer(json_number, when_used="json")]
Id = Annotated[str | int, PlainValidator(_identifier)]
DateTime = Annotated[
    dt.datetime,
    PlainValidator(_date_time),
    PlainSerializer(lambda value: value.isoformat(), when_used="json"),
]
Currency = Annotated[str, PlainValidator(_currency)]
Text = Annotated[StrictStr, Field(min_length=1)]

ReleaseTag = Literal[
    "planning",
    "planningUpdate",
    "tender",
    "tenderAmendment",
    "tenderUpdate",
    "tenderCancellation",
    "award",
    "awardUpdate",
    "awardCancellation",
    "contract",
    "contractUpdate",
    "contractAmendment",
    "implementation",
    "implementationUpdate",
    "contractTermination",
    "compiled",
]
TenderStatus = Literal[
    "planning", "planned", "active", "cancelled", "unsuccessful", "complete", "withdrawn"
]
Method = Literal["open", "selective", "limited", "direct"]
ProcurementCategory = Literal["goods", "works", "services"]
AwardStatus = Literal["pending", "active", "cancelled", "unsuccessful"]
ContractStatus = Literal["pending", "active", "cancelled", "terminated"]
PartyScale = Literal["micro", "sme", "small", "medium", "large", "selfEmployed"]
BidStatus = Literal["invited", "pending", "valid", "disqualified", "withdrawn"]


class OcdsModel(BaseModel):
    """Unknown fields are kept; known ones are typed and read by their OCDS (camelCase) names."""

    model_config = ConfigDict(extra="allow", alias_generator=to_camel)


class Value(OcdsModel):
    amount: Number | None = None
    currency: Currency | None = None


class Period(OcdsModel):
    start_date: DateTime | None = None
    end_date: DateTime | None = None
    duration_in_days: StrictInt | None = None


class Identifier(OcdsModel):
    scheme: StrictStr | None = None
    id: Id | None = None


class PartyDetails(OcdsModel):
    scale: PartyScale | None = None


class Party(OcdsModel):
    id: Id | None = None
    name: StrictStr | None = None
    identifier: Identifier | None = None
    roles: list[StrictStr] | None = None
    details: PartyDetails | None = None


class OrganizationReference(OcdsModel):
    id: Id | None = None
    name: StrictStr | None = None


class Sustainability(OcdsModel):
    goal: StrictStr | None = None
    strategies: list[StrictStr] | None = None


class Tender(OcdsModel):
    id: Id | None = None  # required by OCDS, yet missing in real data: the ocid stands in
    title: StrictStr | None = None
    status: TenderStatus | None = None
    procurement_method: Method | None = None
    procurement_method_details: StrictStr | None = None
    main_procurement_category: ProcurementCategory | None = None
    value: Value | None = None
    contract_period: Period | None = None
    tenderers: list[OrganizationReference] | None = None
    number_of_tenderers: StrictInt | None = None
    sustainability: list[Sustainability] | None = None
    employees_needed: Annotated[StrictInt, Field(ge=0)] | None = None  # ours, not OCDS


class Statistic(OcdsModel):
    id: Text
    measure: Text
    value: Number
    related_lot: StrictStr | None = None


class Bid(OcdsModel):
    id: Text
    tenderers: list[OrganizationReference] | None = None
    status: BidStatus | None = None


class Bids(OcdsModel):
    statistics: list[Statistic] | None = None
    details: list[Bid] | None = None


class Award(OcdsModel):
    id: Id
    date: DateTime | None = None
    status: AwardStatus | None = None
    suppliers: list[OrganizationReference] | None = None
    value: Value | None = None


class Contract(OcdsModel):
    id: Id
    award_id: Id = Field(alias="awardID")
    date_signed: DateTime | None = None
    status: ContractStatus | None = None
    period: Period | None = None
    value: Value | None = None


# The store's columns for release identity hold 200 characters.
Identity = Annotated[StrictStr, Field(min_length=1, max_length=200)]


class Release(OcdsModel):
    ocid: Identity
    id: Identity
    date: DateTime | None = None
    tag: Annotated[list[ReleaseTag], Field(min_length=1)] | None = None
    initiation_type: Literal["tender"] | None = None
    parties: list[Party] | None = None
    buyer: OrganizationReference | None = None
    tender: Tender | None = None
    bids: Bids | None = None
    awards: list[Award] | None = None
    contracts: list[Contract] | None = None

    _received: dict[str, Any] | None = PrivateAttr(default=None)
    _compiled: bool = PrivateAttr(default=False)

    @property
    def is_compiled(self) -> bool:
        """A publisher's compiledRelease (a record that only links its releases)."""
        return self._compiled

    def as_received(self) -> dict[str, Any]:
        """The release's JSON as it was sent (when parsed by `parse_package`), else as dumped."""
        if self._received is not None:
            return copy.deepcopy(self._received)
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
