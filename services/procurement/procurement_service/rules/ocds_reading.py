"""Reading one compiled OCDS release the way Swedish practice needs it: the buyer checked
against the municipality's organisation numbers, bidders and suppliers by scheme and
identifier (Swedish rules for SE-BLV only), the procedure of an advertised direct award,
amounts with their currency, the contract period, bids per tenderer.

What cannot be read is an error (`errors`: a JSON Pointer into the compiled release and a
message); what is missing or doubtful is a quality note (`notes`). Messages never repeat a
bidder's identifier: it may be a personal identity number."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from stdnum.se import orgnr, personnummer

from procurement_service.rules.attribution import Attribution
from procurement_service.rules.personal_data import PSEUDONYM
from procurement_service.schemas_ocds import (
    Award,
    Bids,
    Identifier,
    Party,
    Period,
    Release,
    Tender,
    Value,
)
from procurement_service.vocabulary import Category, Procedure, SizeClass

ORGANISATION_NUMBER_SCHEME = "SE-BLV"

_PROCEDURES = {
    "open": Procedure.OPEN,
    "selective": Procedure.SELECTIVE,
    "limited": Procedure.NEGOTIATED,
    "direct": Procedure.DIRECT_AWARD,
}
_SIZE_CLASSES = {
    "micro": SizeClass.MICRO,
    "small": SizeClass.SMALL,
    "medium": SizeClass.MEDIUM,
    "sme": SizeClass.SME,
    "large": SizeClass.LARGE,
    "selfEmployed": SizeClass.MICRO,  # a sole trader is an enterprise, usually micro
}
_NOT_SUBMITTED = {"invited", "withdrawn"}  # bid statuses that are no bid (bids extension)


class ReleaseReader:
    """Lookups over one compiled release; refusals go to `errors`, doubts to `notes`."""

    def __init__(self, release: Release) -> None:
        self.release = release
        self.tender = release.tender or Tender()
        self.errors: list[dict[str, Any]] = []
        self.notes: list[dict[str, str]] = []
        self.bidder_paths: list[str] = []
        self.parties: dict[str | int, tuple[int, Party]] = {}
        for n, party in enumerate(release.parties or []):
            if party.id is not None:
                self.parties.setdefault(party.id, (n, party))

    def _error(self, path: str, message: str) -> None:
        self.errors.append({"path": path, "message": message})

    def note(self, code: str, message: str) -> None:
        if {"code": code, "message": message} not in self.notes:
            self.notes.append({"code": code, "message": message})

    def _buyer(self) -> tuple[int, Party] | None:
        buyer = self.release.buyer
        if buyer is not None and buyer.id is not None and buyer.id in self.parties:
            return self.parties[buyer.id]
        for n, party in enumerate(self.release.parties or []):
            if "buyer" in (party.roles or []):
                return n, party
        return None

    def administration(self) -> str | None:
        buyer, party = self.release.buyer, self._buyer()
        name = (buyer.name if buyer else None) or (party[1].name if party else None)
        if not name:
            self.note("buyer_without_name", "no buyer name: the administration is unknown")
        return name or None

    def check_buyer(self, attribution: Attribution) -> None:
        """The buyer must be the municipality (one of its organisation numbers); a buyer
        without identifier is attributed to it, with a note."""
        found = self._buyer()
        identifier = found[1].identifier if found else None
        if identifier is None or identifier.id is None:
            message = f"the buyer has no identifier: attributed to {attribution.municipality_code}"
            self.note("buyer_without_identifier", message)
            return
        path = f"/parties/{found[0]}/identifier" if found else "/buyer"
        number = (
            _organisation_number(str(identifier.id))
            if identifier.scheme == ORGANISATION_NUMBER_SCHEME
            else None
        )
        if number is None or number not in attribution.organisation_numbers:
            name = (found[1].name if found else None) or "the buyer"
            self._error(
                path,
                f"{name} ({identifier.scheme} {identifier.id}) is not an organisation of "
                f"municipality {attribution.municipality_code}",
            )

    def category(self) -> Category | None:
        category = self.tender.main_procurement_category
        if category is None:
            message = "no mainProcurementCategory: left out of the employment-requirement figures"
            self.note("missing_category", message)
            return None
        return Category(category)

    def procedure(self) -> tuple[Procedure | None, bool | None]:
        method = self.tender.procurement_method
        details = self.tender.procurement_method_details or ""
        if "direktupphandling" in details.casefold():
            # OCDS `direct` means no competition; an advertised Swedish direct award is not.
            return Procedure.DIRECT_AWARD, method != "direct"
        if method is None:
            message = "no procurementMethod: left out of the direct-award figures"
            self.note("missing_procedure", message)
            return None, None
        return _PROCEDURES[method], method in ("open", "selective")

    def amount(self, value: Value | None, path: str) -> tuple[Decimal | None, str | None]:
        """The amount with its currency, as published; thresholds in SEK skip the others."""
        if value is None or value.amount is None:
            return None, None
        if value.currency is None:
            self.note("amount_without_currency", f"{path}: an amount without currency")
        elif value.currency != "SEK":
            message = f"an amount in {value.currency}: SEK thresholds leave it out"
            self.note("amount_not_in_sek", message)
        return value.amount, value.currency

    def awarded_value(self, active: list[tuple[int, Award]]) -> tuple[Decimal | None, str | None]:
        """The sum over active awards; unknown when one has no amount or currencies differ."""
        amounts = [self.amount(award.value, f"/awards/{n}/value") for n, award in active]
        currencies = {currency for _, currency in amounts}
        if not amounts or any(a is None for a, _ in amounts):
            return None, None
        if len(currencies) != 1:
            self.note("awards_in_several_currencies", "awards in several currencies: no sum")
            return None, None
        total = sum((a for a, _ in amounts if a is not None), Decimal(0))
        return total, currencies.pop()

    def contract_period(self) -> tuple[dict[str, dt.date] | None, str]:
        contracts = self.release.contracts or []
        candidates = [
            (contracts[0].period if contracts else None, "/contracts/0/period"),
            (self.tender.contract_period, "/tender/contractPeriod"),
        ]
        for period, path in candidates:
            dates = _period_dates(period)
            if dates is not None:
                return dates, path
        return None, "/tender/contractPeriod"

    def identity(self, party_index: int, identifier: Identifier | None) -> tuple[str, str] | None:
        """(scheme, identifier) of a bidder or supplier; Swedish rules for SE-BLV only."""
        path = f"/parties/{party_index}/identifier"
        if identifier is None or identifier.id is None or not identifier.scheme:
            self.note("party_without_identifier", f"{path}: no scheme and identifier, left out")
            return None
        if identifier.scheme != ORGANISATION_NUMBER_SCHEME:
            return identifier.scheme, str(identifier.id)
        if PSEUDONYM.fullmatch(str(identifier.id)):
            return ORGANISATION_NUMBER_SCHEME, str(identifier.id)  # a redacted sole trader
        number = _organisation_number(str(identifier.id))
        if number is None:
            self._error(f"{path}/id", "not a valid Swedish organisation number")
            return None
        return ORGANISATION_NUMBER_SCHEME, number

    def _party(self, party_id: str | int | None, path: str) -> tuple[int, Party] | None:
        found = self.parties.get(party_id) if party_id is not None else None
        if found is None:
            self.note("unresolved_party_reference", f"{path}/id refers to no party, left out")
        return found

    def _bidder(self, found: tuple[int, Party], name: str | None, bids: int) -> dict[str, Any]:
        party = found[1]
        scheme, number = self.identity(found[0], party.identifier) or (None, None)
        scale = party.details.scale if party.details else None
        return {
            "scheme": scheme,
            "organisation_number": number,
            "name": party.name or name or None,
            "size_class": _SIZE_CLASSES[scale] if scale else None,
            "bids": bids or 1,
        }

    def bidders(self) -> list[dict[str, Any]]:
        bids = _bids_per_tenderer(self.release.bids)
        bidders: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        for n, tenderer in enumerate(self.tender.tenderers or []):
            path = f"/tender/tenderers/{n}"
            found = self._party(tenderer.id, path)
            if found is None:
                continue
            submitted = bids[tenderer.id] if tenderer.id is not None else 0
            bidder = self._bidder(found, tenderer.name, submitted)
            key = (bidder["scheme"], bidder["organisation_number"])
            if bidder["organisation_number"] is None or key in seen:
                continue  # several tenders from one tenderer count once
            seen.add(key)
            bidders.append(bidder)
            self.bidder_paths.append(path)
        return bidders

    def suppliers_as_bidders(self, active: list[tuple[int, Award]]) -> list[dict[str, Any]]:
        """No tenderer list (a direct award, typically): the awarded suppliers did bid."""
        bidders: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        for n, award in active:
            for m, supplier in enumerate(award.suppliers or []):
                path = f"/awards/{n}/suppliers/{m}"
                found = self._party(supplier.id, path)
                if found is None:
                    continue
                bidder = self._bidder(found, supplier.name, 1)
                key = (bidder["scheme"], bidder["organisation_number"])
                if bidder["organisation_number"] is None or key in seen:
                    continue
                seen.add(key)
                bidders.append(bidder)
                self.bidder_paths.append(path)
        return bidders

    def note_unlisted_bidders(self, reported: int | None) -> None:
        if reported is None:
            message = "no tenderers and no numberOfTenderers: the bidder count is unknown"
            self.note("bidder_count_unknown", message)
        else:
            message = "no tenderer list: the bidder count is the reported numberOfTenderers"
            self.note("bidder_count_reported", message)

    def winners(self, active: list[tuple[int, Award]]) -> list[str]:
        winners: list[str] = []
        for n, award in active:
            for m, supplier in enumerate(award.suppliers or []):
                found = self.parties.get(supplier.id) if supplier.id is not None else None
                if found is None:
                    self._party(supplier.id, f"/awards/{n}/suppliers/{m}")
                    continue
                identity = self.identity(found[0], found[1].identifier)
                if identity is None:
                    continue
                scheme, number = identity
                key = number if scheme == ORGANISATION_NUMBER_SCHEME else f"{scheme}:{number}"
                if key not in winners:
                    winners.append(key)
        return winners


def _period_dates(period: Period | None) -> dict[str, dt.date] | None:
    if period is None or period.start_date is None:
        return None
    start = period.start_date.date()
    if period.end_date is not None:
        return {"start_date": start, "end_date": period.end_date.date()}
    if period.duration_in_days is not None:
        return {"start_date": start, "end_date": start + dt.timedelta(days=period.duration_in_days)}
    return None


def _bids_per_tenderer(bids: Bids | None) -> Counter[str | int]:
    """Submitted bids (bids extension) per tenderer id; invited or withdrawn ones are no bid."""
    counts: Counter[str | int] = Counter()
    for bid in (bids.details if bids else None) or []:
        if bid.status in _NOT_SUBMITTED:
            continue
        for tenderer in bid.tenderers or []:
            if tenderer.id is not None:
                counts[tenderer.id] += 1
    return counts


def _organisation_number(value: str) -> str | None:
    """NNNNNN-NNNN, or None when not valid. Accepts the 12-digit forms: "16" + number, and a
    sole trader's personal identity number with its century."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]
    elif len(digits) == 12 and personnummer.is_valid(digits):
        digits = digits[2:]
    if len(digits) != 10 or not orgnr.is_valid(digits):
        return None
    return orgnr.format(digits)
