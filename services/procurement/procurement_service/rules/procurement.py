"""Procurement rules as plain functions: organisation numbers, EU size classes, quality
warnings, the local employment-requirement rule."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from stdnum.se import orgnr

from procurement_service.rules import personal_data
from procurement_service.vocabulary import (
    BidderCount,
    Procedure,
    SizeClass,
    SizeProvenance,
    Status,
)

# Commission Recommendation 2003/361/EC, Annex art. 2: (headcount below, turnover or
# balance-sheet total at most, in EUR).
SIZE_LIMITS = (
    (SizeClass.MICRO, 10, Decimal(2_000_000), Decimal(2_000_000)),
    (SizeClass.SMALL, 50, Decimal(10_000_000), Decimal(10_000_000)),
    (SizeClass.MEDIUM, 250, Decimal(50_000_000), Decimal(43_000_000)),
)


class InvalidOrganisationNumber(ValueError):
    pass


@dataclass(frozen=True)
class Identity:
    key: str  # the org number (legal person) or "st:" + keyed hash (sole trader)
    sole_trader: bool


ORGANISATION_NUMBER_SCHEME = "SE-BLV"
_FORMATTED = re.compile(r"[0-9]{6}-[0-9]{4}")
# A Luhn digit doubled, its digits summed, by the digit's byte (a table: no Python call
# per digit).
_DOUBLED = bytes(48) + bytes((0, 2, 4, 6, 8, 1, 3, 5, 7, 9)) + bytes(256 - 58)


def _luhn(digits: str) -> bool:
    backwards = digits[::-1].encode()
    kept = backwards[0::2]
    total = sum(kept) - 48 * len(kept) + sum(backwards[1::2].translate(_DOUBLED))
    return total % 10 == 0


def formatted_legal_person(number: str) -> bool:
    """NNNNNN-NNNN with digits 3-4 at least 20 and a right check digit: an organisation number
    of a legal person as it is usually sent. Such a number is never a personal identity
    number (its month would be 20 or more) nor a pseudonym, so `identify` keeps it as written
    without the general parsing, which cost a third of a bulk request's time."""
    return (
        _FORMATTED.fullmatch(number) is not None
        and number[2:4] >= "20"
        and _luhn(number[:6] + number[7:])
    )


def identify(number: str, secret: bytes, scheme: str = ORGANISATION_NUMBER_SCHEME) -> Identity:
    """Validate a Swedish organisation number (Luhn; also as 12 digits with "16"). A personal
    identity number (a sole trader's, with or without century and dash) is replaced by its
    pseudonym at once (personal_data.py); a pseudonym this service made is taken as it is
    (a redacted OCDS release carries them). An identifier of another register (a bidder from
    abroad) is kept with its scheme: `DK-CVR:25313763`; the Swedish rules do not apply."""
    if scheme == ORGANISATION_NUMBER_SCHEME and formatted_legal_person(number):
        return Identity(number, sole_trader=False)
    if scheme != ORGANISATION_NUMBER_SCHEME:
        if not number.strip() or not number.isprintable():
            raise InvalidOrganisationNumber(f"not an identifier of {scheme}")
        return Identity(f"{scheme}:{number.strip()}", sole_trader=False)
    if personal_data.number_of(number, secret) is not None:
        return Identity(number, sole_trader=True)
    if personal_data.is_personal_identity_number(number):
        return Identity(personal_data.pseudonym(number, secret), sole_trader=True)
    digits = orgnr.compact(number) if number.isascii() else ""
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]
    if not orgnr.is_valid(digits) or int(digits[2:4]) < 20:
        raise InvalidOrganisationNumber("not a valid Swedish organisation number")
    return Identity(orgnr.format(digits), sole_trader=False)


def winner_identity(written: str, secret: bytes) -> Identity:
    """A winner as the native format writes it: an organisation number, or `SCHEME:id`."""
    if personal_data.PSEUDONYM.fullmatch(written):
        return identify(written, secret)
    scheme, sep, number = written.partition(":")
    if sep and scheme != ORGANISATION_NUMBER_SCHEME:
        return identify(number, secret, scheme)
    return identify(number if sep else written, secret)


def size_class(
    given: SizeClass | None,
    headcount: int | None,
    turnover_eur: Decimal | None,
    balance_sheet_total_eur: Decimal | None,
) -> tuple[SizeClass, SizeProvenance]:
    """A stated class is kept; else the EU definition decides when headcount and one money
    figure are known; else no data (never large)."""
    if given is not None:
        return given, SizeProvenance.GIVEN
    money = [m for m in (turnover_eur, balance_sheet_total_eur) if m is not None]
    if headcount is None or not money:
        return SizeClass.NO_DATA, SizeProvenance.NONE
    for cls, staff_below, turnover_max, balance_max in SIZE_LIMITS:
        within_money = (turnover_eur is not None and turnover_eur <= turnover_max) or (
            balance_sheet_total_eur is not None and balance_sheet_total_eur <= balance_max
        )
        if headcount < staff_below and within_money:
            return cls, SizeProvenance.COMPUTED
    return SizeClass.LARGE, SizeProvenance.COMPUTED


def bidder_count(
    listed: int, list_complete: bool, reported: int | None
) -> tuple[int | None, BidderCount]:
    """How many bidders a procurement had, and on what it rests: the bidder list when it is
    complete (native outcomes, OCDS releases with tenderers), else the count the sender
    reported (OCDS numberOfTenderers), else unknown: never the winners alone."""
    if list_complete:
        return listed, BidderCount.LISTED
    if reported is not None:
        return max(reported, listed), BidderCount.REPORTED
    return None, BidderCount.UNKNOWN


def execution_days(start: dt.date | None, end: dt.date | None) -> int | None:
    return None if start is None or end is None else (end - start).days + 1


@dataclass(frozen=True)
class Facts:
    procedure: Procedure | None
    status: Status
    bidder_keys: list[str]
    winner_keys: list[str]
    number_of_bidders_reported: int | None
    award_date: dt.date | None
    contract_signed_date: dt.date | None
    contract_start: dt.date | None
    bidders_listed: bool = True


def quality_warnings(facts: Facts) -> list[tuple[str, str]]:
    """Inconsistencies stored with the procurement (after OCP's Pelican checks): data is
    accepted, and the doubt is visible."""
    warnings: list[tuple[str, str]] = []
    reported, listed = facts.number_of_bidders_reported, len(facts.bidder_keys)
    if facts.bidders_listed and reported is not None and reported != listed:
        warnings.append(("bidder_count_mismatch", f"{reported} bidders reported, {listed} listed"))
    strangers = [w for w in facts.winner_keys if w not in facts.bidder_keys]
    if strangers:
        warnings.append(("winner_did_not_bid", f"{len(strangers)} winner(s) not among the bidders"))
    signed, awarded = facts.contract_signed_date, facts.award_date
    if signed and awarded and signed < awarded:
        warnings.append(("dates_out_of_order", "the contract is signed before the award"))
    if facts.procedure == Procedure.DIRECT_AWARD and listed > 1:
        warnings.append(
            ("direct_award_with_several_bidders", f"a direct award with {listed} bidders")
        )
    if facts.contract_signed_date and not facts.award_date:
        warnings.append(("contract_without_award", "a contract is signed but no award is recorded"))
    if facts.award_date and facts.contract_start and facts.contract_start < facts.award_date:
        warnings.append(("dates_out_of_order", "the contract period starts before the award"))
    return warnings
