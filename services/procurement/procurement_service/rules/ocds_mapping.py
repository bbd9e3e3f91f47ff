"""Mapping a compiled OCDS release onto a tender outcome (`ReceivedProcurement`).

Why apart from parsing and merging (ocds.py): this is where OCDS meets Swedish practice
(advertised direct awards, organisation numbers, the employment-requirement goal of the
sustainability extension), and the rules read best on their own. The lookups over one release
are in ocds_reading.py; here the outcome is assembled and checked by the native model.

A schema-valid release is read, never refused for what OCDS leaves optional: a missing title,
category, procedure, size, employee count or SEK value becomes a quality note and "no data" in
the figures that need it. Refused are only a buyer that is another organisation and a Swedish
organisation number that is not one. Bidders of other registers keep scheme and identifier."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from procurement_service.rules.attribution import Attribution
from procurement_service.rules.ocds import json_pointer
from procurement_service.rules.ocds_reading import ReleaseReader
from procurement_service.schemas import BulkItem, ReceivedProcurement
from procurement_service.schemas_ocds import Release
from procurement_service.vocabulary import Category, Status

EMPLOYMENT_GOAL = "social.disadvantagedEmploymentOpportunities"
_REFERENCE = TypeAdapter(Annotated[str, BulkItem.model_fields["reference"]])


class MappingError(ValueError):
    """The compiled release cannot be attributed or read. Each error: `path` (JSON Pointer into
    the compiled release), `message`, and `field` (the native field) when the native model
    refused a mapped value. Messages never repeat a bidder's identifier (it may be a personal
    identity number); the buyer's is an organisation's and is named."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        super().__init__(f"cannot map the OCDS release: {len(errors)} error(s)")


def to_procurement(
    compiled: dict[str, Any], attribution: Attribution
) -> tuple[str, ReceivedProcurement]:
    """(reference, received procurement) from a schema-valid compiled release.

    Refused (MappingError): a buyer that is another organisation, a Swedish organisation
    number that is not one, a value the native model cannot hold. Missing what the
    measurement needs becomes a quality note instead."""
    try:
        release = Release.model_validate(compiled)
    except ValidationError as exc:
        details = exc.errors(include_url=False, include_input=False, include_context=False)
        raise MappingError(
            [{"path": json_pointer(tuple(e["loc"])), "message": e["msg"]} for e in details]
        ) from None
    mapper = ReleaseReader(release)
    tender = mapper.tender
    errors = mapper.errors

    reference = str(tender.id) if tender.id is not None else release.ocid
    try:
        _REFERENCE.validate_python(reference)
    except ValidationError as exc:
        path = "/tender/id" if tender.id is not None else "/ocid"
        errors.append({"path": path, "message": f"as a reference: {exc.errors()[0]['msg']}"})

    administration = mapper.administration()
    mapper.check_buyer(attribution)
    estimated, estimated_currency = mapper.amount(tender.value, "/tender/value")
    active = [
        (n, award) for n, award in enumerate(release.awards or []) if award.status == "active"
    ]
    awarded, awarded_currency = mapper.awarded_value(active)
    procedure, advertised = mapper.procedure()
    listed = tender.tenderers is not None
    bidders = mapper.bidders() if listed else mapper.suppliers_as_bidders(active)
    fields: dict[str, Any] = {
        "administration": administration,
        "board_code": attribution.board_for(administration),
        "title": tender.title or None,
        "category": mapper.category(),
        "procedure": procedure,
        "advertised": advertised,
        "estimated_value": estimated,
        "estimated_value_currency": estimated_currency,
        "awarded_value": awarded,
        "awarded_value_currency": awarded_currency,
        "employees_needed": tender.employees_needed,
        "number_of_bidders_reported": tender.number_of_tenderers,
        "bidders": bidders,
        "bidders_listed": listed,
        "winners": mapper.winners(active),
    }
    if not fields["title"]:
        mapper.note("missing_title", "no tender title in any release")
    if tender.employees_needed is None and fields["category"] in _EMPLOYMENT_CATEGORIES:
        message = "no employee count: left out of the employment-requirement figures"
        mapper.note("missing_employee_count", message)
    if not listed:
        mapper.note_unlisted_bidders(tender.number_of_tenderers)
    fields["contract_period"], contract_period_path = mapper.contract_period()
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
    fields["notes"] = mapper.notes
    if errors:
        raise MappingError(errors)

    sources = {**_NATIVE_SOURCES, "contract_period": contract_period_path}
    try:
        return reference, ReceivedProcurement.model_validate(fields)
    except ValidationError as exc:
        raise MappingError(
            [_native_error(e, sources, mapper.bidder_paths) for e in exc.errors()]
        ) from None


_EMPLOYMENT_CATEGORIES = {Category.SERVICES, Category.WORKS}
_NATIVE_SOURCES = {
    "administration": "/buyer/name",
    "board_code": "",
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
    field_name = ".".join(str(part) for part in loc)
    path = sources.get(str(loc[0]), "") if loc else ""
    if len(loc) > 1 and loc[0] == "bidders" and isinstance(loc[1], int):
        path = bidder_paths[loc[1]]
    return {"path": path, "field": field_name, "message": error["msg"]}


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
