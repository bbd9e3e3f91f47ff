"""Tender outcomes in the native format: one by reference (idempotent PUT), or many at once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from municipal_shared.kit.audit import AuditEntryOut
from municipal_shared.kit.pagination import Page, Pagination
from municipal_shared.kit.problems import problem_responses
from municipal_shared.kit.races import retry_lost_race
from procurement_service import attribution, service
from procurement_service import repository as repo
from procurement_service.api.deps import (
    AuditReader,
    MunicipalityPath,
    PersonalDataKey,
    Reader,
    ReferencePath,
    Session,
    Writer,
)
from procurement_service.schemas import BulkIn, ProcurementPut
from procurement_service.schemas_out import BulkResult, ProcurementOut, procurement_out

router = APIRouter(tags=["procurements"])
ONE = "/v1/procurements/{municipality_code}/{reference}"


@router.get(
    "/v1/procurements/{municipality_code}/audit",
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
    return await service.audit_log(session, municipality_code, page)


# Declared after the audit log: `audit` would also match the reference of a procurement.
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
    request: Request,
) -> ProcurementOut:
    buyers = request.app.state.settings.buyers
    attribution.check_native(buyers, municipality_code, [("/board_code", body.board_code)])
    # Identical PUTs at the same moment: the ones that lose the race to create the reference
    # find it stored and answer with it (200, same body), never 409.
    procurement, what = await retry_lost_race(
        session,
        lambda: service.put_one(
            session, writer.subject, municipality_code, reference, body, key, body.reason
        ),
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
    return procurement_out(await service.find(session, municipality_code, reference))


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
    request: Request,
) -> BulkResult:
    boards = [(f"/items/{i}/board_code", item.board_code) for i, item in enumerate(body.items)]
    attribution.check_native(request.app.state.settings.buyers, municipality_code, boards)
    counts = await retry_lost_race(
        session,
        lambda: service.put_many(
            session, writer.subject, municipality_code, body.items, key, body.reason
        ),
    )
    return BulkResult(**counts)


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
    rows, total = await repo.procurements_page(session, municipality_code, administration, page)
    return page.of([procurement_out(p) for p in rows], total)
