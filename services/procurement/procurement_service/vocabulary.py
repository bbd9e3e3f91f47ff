"""Closed vocabularies of the procurement service; English names from the glossary."""

from __future__ import annotations

import enum


class Category(enum.StrEnum):
    SERVICES = "services"
    WORKS = "works"
    GOODS = "goods"


class Procedure(enum.StrEnum):
    OPEN = "open"
    SELECTIVE = "selective"
    NEGOTIATED = "negotiated"
    DIRECT_AWARD = "direct_award"  # direktupphandling; advertised or not


class Status(enum.StrEnum):
    PLANNED = "planned"
    TENDERING = "tendering"
    AWARDED = "awarded"
    CONTRACT_SIGNED = "contract_signed"
    CANCELLED = "cancelled"
    UNSUCCESSFUL = "unsuccessful"


class SizeClass(enum.StrEnum):
    """EU size classes (Recommendation 2003/361/EC); `sme` when small or medium is not told
    apart; `no_data` when unknown: never counted as large."""

    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    SME = "sme"
    LARGE = "large"
    NO_DATA = "no_data"


SME_CLASSES = {SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM, SizeClass.SME}


class SizeProvenance(enum.StrEnum):
    GIVEN = "given"  # stated by the sender (procurement system, OCDS scale)
    COMPUTED = "computed"  # derived here from headcount and money facts
    NONE = "none"


class BidderCount(enum.StrEnum):
    """What a procurement's bidder count rests on."""

    LISTED = "listed"  # the bidders are listed one by one
    REPORTED = "reported"  # only a count was reported (OCDS numberOfTenderers)
    UNKNOWN = "unknown"  # neither: left out of the competition figures
