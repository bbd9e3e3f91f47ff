"""Tender outcomes in the native format: one by reference (idempotent PUT), or many at once;
and the municipality's audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from municipal_shared.kit.audit import AuditEntryOut
from municipal_shared.kit.pagination import Page, Pagination
from municipal_shared.kit.problems import problem_responses
from municipal_shared.kit.routing import service_router
from procurement_service.api.deps import (
    AuditReader,
    MunicipalityPath,
    PersonalDataKey,
    Reader,
    ReferencePath,
    Session,
    Settings,
    Writer,
)
from procurement_service.schemas import BulkIn, ProcurementPut
from procurement_service.schemas_out import BulkResult, ProcurementOut, procurement_out
from procurement_service.use_cases import bulk, procurements

router = service_router(tags=["procurements"])
ONE = "/v1/procurements/{municipality_code}/{reference}"


@router.get(
    "/v1/audit/{municipality_code}",
    operation_id="listProcurementAudit",
    summary="Who changed the municipality's outcomes and rules, when and why (newest first)",
    response_model=Page[AuditEntryOut],
    responses=problem_responses(401, 403, 422),
)
async def list_audit(
    # The token first: who changed what is never public, whatever the municipality.
    _: AuditReader,
    municipality_code: MunicipalityPath,
    session: Session,
    page: Pagination,
) -> Page[AuditEntryOut]:
    """Who changed the municipality's outcomes and rules, when and why, newest first. Never public:
    needs `procurement:read`."""
    return await procurements.list_audit(session, municipality_code, page)


@router.put(
    ONE,
    operation_id="putProcurement",
    summary="Store a tender outcome by the buyer's reference (idempotent)",
    response_model=ProcurementOut,
    responses={
        201: {"description": "Created", "model": ProcurementOut},
        **problem_responses(401, 403, 409, 412, 422),
    },
)
async def put_procurement(
    municipality_code: MunicipalityPath,
    reference: ReferencePath,
    body: ProcurementPut,
    session: Session,
    writer: Writer,
    key: PersonalDataKey,
    response: Response,
    settings: Settings,
) -> ProcurementOut:
    """Stores a tender outcome under the buyer's reference: 201 when new, 200 when stored again
    (idempotent). A sole trader's identity number is kept only as a pseudonym."""
    procurement, what = await procurements.put_procurement(
        session, writer.subject, settings.buyers, municipality_code, reference, body, key
    )
    response.status_code = 201 if what == "created" else 200
    return procurement_out(procurement)


@router.get(
    ONE,
    operation_id="getProcurement",
    summary="A stored tender outcome with its bidders and quality warnings",
    response_model=ProcurementOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_procurement(
    municipality_code: MunicipalityPath, reference: ReferencePath, session: Session, _: Reader
) -> ProcurementOut:
    """A stored tender outcome with its bidders and quality warnings."""
    return procurement_out(
        await procurements.find_procurement(session, municipality_code, reference)
    )


@router.put(
    "/v1/procurements/{municipality_code}",
    operation_id="putProcurements",
    summary="Store many tender outcomes at once, all or nothing (idempotent per reference)",
    response_model=BulkResult,
    responses=problem_responses(401, 403, 409, 412, 422),
)
async def put_procurements(
    municipality_code: MunicipalityPath,
    body: BulkIn,
    session: Session,
    writer: Writer,
    key: PersonalDataKey,
    settings: Settings,
) -> BulkResult:
    """Stores many tender outcomes at once (at most 1000), all or nothing; each reference idempotent
    as in the single PUT."""
    return await bulk.put_procurements(
        session, writer.subject, settings.buyers, municipality_code, body, key
    )


@router.get(
    "/v1/procurements/{municipality_code}",
    operation_id="listProcurements",
    summary="Stored tender outcomes of a municipality, by award date",
    response_model=Page[ProcurementOut],
    responses=problem_responses(401, 403, 422),
)
async def list_procurements(
    municipality_code: MunicipalityPath,
    session: Session,
    _: Reader,
    page: Pagination,
    administration: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[ProcurementOut]:
    """The municipality's stored tender outcomes by award date, paginated; optionally one
    administration's."""
    return await procurements.list_procurements(session, municipality_code, administration, page)
