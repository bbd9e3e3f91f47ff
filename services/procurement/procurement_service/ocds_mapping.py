"""Mapping a compiled OCDS release onto the native tender outcome (`ProcurementIn`).

Why apart from parsing and merging (ocds.py): this is where OCDS meets Swedish practice
(advertised direct awards, organisation numbers, the employment-requirement goal of the
sustainability extension), and the rules read best on their own."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError
from stdnum.se import orgnr, personnummer

from procurement_service.ocds import json_pointer
from procurement_service.ocds_models import (
    Award,
    Bids,
    Identifier,
    Party,
    Period,
    Release,
    Value,
)
from procurement_service.schemas import BulkItem, ProcurementIn
from procurement_service.vocabulary import Category, Procedure, SizeClass, Status

ORGANISATION_NUMBER_SCHEME = "SE-BLV"
EMPLOYMENT_GOAL = "social.disadvantagedEmploymentOpportunities"

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
_REFERENCE = TypeAdapter(Annotated[str, BulkItem.model_fields["reference"]])


class MappingError(ValueError):
    """The compiled release cannot become a `ProcurementIn`. Each error: `path` (JSON Pointer
    into the compiled release), `message`, and `field` (the native field) when the native model
    refused a mapped value. Messages never repeat the values (organisation numbers may be
    personal identity numbers)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        super().__init__(f"cannot map the OCDS release: {len(errors)} error(s)")


# --- mapping -----------------------------------------------------------------------------


def to_procurement(compiled: dict[str, Any], default_board_code: str) -> tuple[str, ProcurementIn]:
    """(reference, native procurement) from a compiled release.

    `default_board_code` is used when the buyer party carries no `details.boardCode`: the
    receiving endpoint knows which board publishes, OCDS does not. Raises `MappingError`
    listing everything that is missing or cannot be mapped.
    """
    try:
        release = Release.model_validate(compiled)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False, include_context=False)
        raise MappingError(
            [{"path": json_pointer(tuple(e["loc"])), "message": e["msg"]} for e in errors]
        ) from None
    tender = release.tender
    if tender is None:
        raise MappingError([{"path": "/tender", "message": "no release has a tender"}])
    mapper = _Mapper(release)
    errors = mapper.errors
    sources: dict[str, str] = {}  # native field -> OCDS path, for errors from ProcurementIn

    reference = str(tender.id) if tender.id is not None else release.ocid
    try:
        _REFERENCE.validate_python(reference)
    except ValidationError as exc:
        path = "/tender/id" if tender.id is not None else "/ocid"
        errors.append({"path": path, "message": f"as a reference: {exc.errors()[0]['msg']}"})

    fields: dict[str, Any] = {
        "administration": mapper.administration(),
        "board_code": None,
        "title": tender.title,
        "category": None,
        "employees_needed": tender.employees_needed,
        "number_of_bidders_reported": tender.number_of_tenderers,
    }
    if not tender.title:
        errors.append({"path": "/tender/title", "message": "no tender title in any release"})
    if tender.main_procurement_category is None:
        message = "no mainProcurementCategory in any release"
        errors.append({"path": "/tender/mainProcurementCategory", "message": message})
    else:
        fields["category"] = Category(tender.main_procurement_category)
    fields["board_code"], sources["board_code"] = mapper.board_code(default_board_code)
    fields["procedure"], fields["advertised"] = mapper.procedure()
    fields["estimated_value"] = mapper.sek(tender.value, "/tender/value")

    active = [
        (n, award) for n, award in enumerate(release.awards or []) if award.status == "active"
    ]
    fields["awarded_value"] = mapper.awarded_value(active)
    fields["contract_period"], sources["contract_period"] = mapper.contract_period()
    fields["bidders"] = mapper.bidders()
    fields["winners"] = mapper.winners(active)
    award_dates = [award.date.date() for _, award in active if award.date is not None]
    fields["award_date"] = min(award_dates, default=None)
    contracts = release.contracts or []
    signed = [c.date_signed.date() for c in contracts if c.date_signed is not None]
    fields["contract_signed_date"] = min(signed, default=None)
    goals = {s.goal for s in tender.sustainability or []}
    fields["employment_requirement"] = (
        {"set": True, "judged_suitable": True} if EMPLOYMENT_GOAL in goals else None
    )
    fields["status"] = _status(release, bool(active))
    if errors:
        raise MappingError(errors)

    sources = {**_NATIVE_SOURCES, **sources}
    try:
        return reference, ProcurementIn.model_validate(fields)
    except ValidationError as exc:
        raise MappingError(
            [_native_error(e, sources, mapper.bidder_paths) for e in exc.errors()]
        ) from None


_NATIVE_SOURCES = {
    "administration": "/buyer/name",
    "title": "/tender/title",
    "category": "/tender/mainProcurementCategory",
    "procedure": "/tender/procurementMethod",
    "advertised": "/tender/procurementMethod",
    "estimated_value": "/tender/value/amount",
    "awarded_value": "/awards",
    "employees_needed": "/tender/employeesNeeded",
    "employment_requirement": "/tender/sustainability",
    "bidders": "/tender/tenderers",
    "number_of_bidders_reported": "/tender/numberOfTenderers",
    "winners": "/awards",
    "award_date": "/awards",
    "contract_signed_date": "/contracts",
    "status": "/tender/status",
}


def _native_error(error: Any, sources: dict[str, str], bidder_paths: list[str]) -> dict[str, Any]:
    loc = tuple(error["loc"])
    field = ".".join(str(part) for part in loc)
    path = sources.get(str(loc[0]), "") if loc else ""
    if len(loc) > 1 and loc[0] == "bidders" and isinstance(loc[1], int):
        path = bidder_paths[loc[1]]
    return {"path": path, "field": field, "message": error["msg"]}


def _status(release: Release, awarded: bool) -> Status:
    tender_status = release.tender.status if release.tender else None
    if tender_status in ("cancelled", "withdrawn"):
        return Status.CANCELLED
    if tender_status == "unsuccessful":
        return Status.UNSUCCESSFUL
    contracts = release.contracts or []
    if any(c.status == "active" or c.date_signed is not None for c in contracts):
        return Status.CONTRACT_SIGNED
    if awarded:
        return Status.AWARDED
    if tender_status == "active":
        return Status.TENDERING
    return Status.PLANNED


class _Mapper:
    """Lookups over one compiled release; problems go to `errors` instead of raising."""

    def __init__(self, release: Release) -> None:
        self.release = release
        self.tender = release.tender
        self.errors: list[dict[str, Any]] = []
        self.bidder_paths: list[str] = []
        self.parties: dict[str | int, tuple[int, Party]] = {}
        for n, party in enumerate(release.parties or []):
            if party.id is not None:
                self.parties.setdefault(party.id, (n, party))

    def _error(self, path: str, message: str) -> None:
        self.errors.append({"path": path, "message": message})

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
            self._error("/buyer/name", "no buyer name (buyer, or a party with the role buyer)")
        return name

    def board_code(self, default: str) -> tuple[str, str]:
        """The code and where it came from ("" when it is the caller's default)."""
        party = self._buyer()
        details = party[1].details if party else None
        if party is not None and details is not None and details.board_code:
            return details.board_code, f"/parties/{party[0]}/details/boardCode"
        return default, ""

    def procedure(self) -> tuple[Procedure | None, bool | None]:
        assert self.tender is not None
        method = self.tender.procurement_method
        details = self.tender.procurement_method_details or ""
        if "direktupphandling" in details.casefold():
            # OCDS `direct` means no competition; an advertised Swedish direct award is not.
            return Procedure.DIRECT_AWARD, method != "direct"
        if method is None:
            self._error("/tender/procurementMethod", "no procurementMethod in any release")
            return None, None
        return _PROCEDURES[method], method in ("open", "selective")

    def sek(self, value: Value | None, path: str) -> Decimal | None:
        if value is None or value.amount is None:
            return None
        if value.currency != "SEK":
            self._error(f"{path}/currency", "only amounts in SEK can be read")
            return None
        return value.amount

    def awarded_value(self, active: list[tuple[int, Award]]) -> Decimal | None:
        """The sum over active awards; unknown (None) when any of them has no amount."""
        amounts = [self.sek(award.value, f"/awards/{n}/value") for n, award in active]
        if not amounts or any(amount is None for amount in amounts):
            return None
        return sum((amount for amount in amounts if amount is not None), Decimal(0))

    def contract_period(self) -> tuple[dict[str, dt.date] | None, str]:
        assert self.tender is not None
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

    def organisation_number(self, party_index: int, identifier: Identifier | None) -> str | None:
        path = f"/parties/{party_index}/identifier"
        if identifier is None or identifier.id is None:
            self._error(f"{path}/id", "no organisation number")
            return None
        if identifier.scheme != ORGANISATION_NUMBER_SCHEME:
            message = f"scheme must be {ORGANISATION_NUMBER_SCHEME} (organisation number)"
            self._error(f"{path}/scheme", message)
            return None
        number = _organisation_number(str(identifier.id))
        if number is None:
            self._error(f"{path}/id", "not a valid Swedish organisation number")
        return number

    def _party(self, party_id: str | int | None, path: str) -> tuple[int, Party] | None:
        found = self.parties.get(party_id) if party_id is not None else None
        if found is None:
            self._error(f"{path}/id", "refers to no party in parties")
        return found

    def bidders(self) -> list[dict[str, Any]]:
        assert self.tender is not None
        bids = _bids_per_tenderer(self.release.bids)
        bidders: list[dict[str, Any]] = []
        seen: set[str] = set()
        for n, tenderer in enumerate(self.tender.tenderers or []):
            path = f"/tender/tenderers/{n}"
            found = self._party(tenderer.id, path)
            if found is None:
                continue
            party_index, party = found
            number = self.organisation_number(party_index, party.identifier)
            name = party.name or tenderer.name
            if not name:
                self._error(f"/parties/{party_index}/name", "the tenderer has no name")
            if number is None or not name or number in seen:
                continue  # several tenders from one tenderer count once
            seen.add(number)
            scale = party.details.scale if party.details else None
            bidders.append(
                {
                    "organisation_number": number,
                    "name": name,
                    "size_class": _SIZE_CLASSES[scale] if scale else None,
                    "bids": bids.get(tenderer.id, 0) or 1,
                }
            )
            self.bidder_paths.append(path)
        return bidders

    def winners(self, active: list[tuple[int, Award]]) -> list[str]:
        winners: list[str] = []
        for n, award in active:
            for m, supplier in enumerate(award.suppliers or []):
                found = self._party(supplier.id, f"/awards/{n}/suppliers/{m}")
                if found is None:
                    continue
                number = self.organisation_number(found[0], found[1].identifier)
                if number is not None and number not in winners:
                    winners.append(number)
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
