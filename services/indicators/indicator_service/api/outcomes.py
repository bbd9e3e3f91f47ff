"""Intake of outcomes from people, other services and Kolada; the changes feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from indicator_service.api.deps import REGISTER, Reader, RegisterDep, Writer
from indicator_service.schemas import KoladaImportIn, OutcomeBatchIn
from indicator_service.schemas_out import ChangesPage, KoladaPage, OutcomeBatchResult
from indicator_service.use_cases import outcomes
from municipal_shared.kit.params import IdempotencyKey, Session
from municipal_shared.kit.problems import problem_responses
from municipal_shared.kit.routing import service_router

router = service_router(tags=["outcomes"])


@router.put(
    REGISTER + "/outcomes",
    operation_id="upsertOutcomes",
    summary="Bulk upsert of outcomes keyed by indicator, period, gender and source",
    response_model=OutcomeBatchResult,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def upsert_outcomes(
    writer: Writer,
    register: RegisterDep,
    body: OutcomeBatchIn,
    session: Session,
    idempotency_key: IdempotencyKey = None,
) -> OutcomeBatchResult:
    """Records outcomes in bulk, keyed by indicator (or delivered figure), period, gender and
    source; a value that differs from the stored one is a correction kept in the history. An
    Idempotency-Key makes a redelivery return the first answer."""
    return await outcomes.record_outcomes(
        session, writer.subject, register, body.items, body.reason, idempotency_key
    )


@router.get(
    REGISTER + "/outcomes/changes",
    operation_id="listOutcomeChanges",
    summary="Values recorded after a cursor, oldest first (a changes-since feed)",
    response_model=ChangesPage,
    responses=problem_responses(401, 403, 404, 422),
)
async def outcome_changes(
    _: Reader,
    register: RegisterDep,
    session: Session,
    since: Annotated[
        int, Query(ge=0, le=2_147_483_647, description="next_since of the previous page")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ChangesPage:
    """Values recorded after a cursor, oldest first: pass the previous page's `next_since` as
    `since`."""
    return await outcomes.outcome_changes(session, register, since, limit)


@router.post(
    REGISTER + "/kolada/values",
    operation_id="importKoladaValues",
    summary="Import a page of Kolada API v2 data, verbatim, for indicators mapped to a KPI",
    description="The body is a page exactly as Kolada's `/v2/data/kpi/...` returns it "
    "(`count`, `values`, `next_page`); the reason is the `reason` query parameter. A "
    "`next_page` is followed only on this machine's Kolada test server (a loopback host, a "
    "`/v2/data/` path); any other host is refused with 422 naming `/next_page`, never fetched. "
    "All pages are recorded as one batch, or none.",
    response_model=OutcomeBatchResult,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def import_kolada(
    writer: Writer,
    register: RegisterDep,
    body: KoladaImportIn,
    session: Session,
    reason: Annotated[
        str | None,
        Query(min_length=3, max_length=2000, examples=["Import från Kolada 2018"]),
    ] = None,
    idempotency_key: IdempotencyKey = None,
) -> OutcomeBatchResult:
    """Imports values in Kolada's JSON shape for the indicators mapped to a KPI; an Idempotency-Key
    makes a redelivery harmless."""
    return await outcomes.import_kolada(
        session, writer.subject, register, body, reason, idempotency_key
    )


@router.get(
    REGISTER + "/kolada/values",
    operation_id="exportKoladaValues",
    summary="Export annual values of KPI-mapped indicators as a Kolada API v2 page",
    response_model=KoladaPage,
    responses=problem_responses(401, 403, 404, 422),
)
async def export_kolada(
    _: Reader,
    register: RegisterDep,
    session: Session,
    kpi: Annotated[str | None, Query(pattern=r"^[A-Z][0-9]{5}$", examples=["N00945"])] = None,
) -> KoladaPage:
    """Exports the annual values of the KPI-mapped indicators in Kolada's JSON shape."""
    return await outcomes.export_kolada(session, register, kpi)
