"""Intake of outcomes from people, other services and Kolada; the changes feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from indicator_service.api.deps import REGISTER, Reader, RegisterDep, Writer
from indicator_service.schemas import KoladaEntry, KoladaImportIn, OutcomeBatchIn
from indicator_service.schemas_out import ChangesPage, OutcomeBatchResult
from indicator_service.use_cases import outcomes
from municipal_shared.kit.params import IdempotencyKey, Session
from municipal_shared.kit.problems import problem_responses

router = APIRouter(tags=["outcomes"])


@router.put(
    REGISTER + "/outcomes",
    operation_id="upsertOutcomes",
    summary="Bulk upsert of outcomes keyed by indicator, period, gender and source",
    response_model=OutcomeBatchResult,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def upsert_outcomes(
    register: RegisterDep,
    body: OutcomeBatchIn,
    session: Session,
    writer: Writer,
    idempotency_key: IdempotencyKey = None,
) -> OutcomeBatchResult:
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
    register: RegisterDep,
    session: Session,
    _: Reader,
    since: Annotated[
        int, Query(ge=0, le=2_147_483_647, description="next_since of the previous page")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ChangesPage:
    return await outcomes.outcome_changes(session, register, since, limit)


@router.post(
    REGISTER + "/kolada/values",
    operation_id="importKoladaValues",
    summary="Import values in Kolada's JSON shape for indicators mapped to a KPI",
    response_model=OutcomeBatchResult,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def import_kolada(
    register: RegisterDep,
    body: KoladaImportIn,
    session: Session,
    writer: Writer,
    idempotency_key: IdempotencyKey = None,
) -> OutcomeBatchResult:
    return await outcomes.import_kolada(session, writer.subject, register, body, idempotency_key)


@router.get(
    REGISTER + "/kolada/values",
    operation_id="exportKoladaValues",
    summary="Export annual values of KPI-mapped indicators in Kolada's JSON shape",
    response_model=list[KoladaEntry],
    responses=problem_responses(401, 403, 404, 422),
)
async def export_kolada(
    register: RegisterDep,
    session: Session,
    _: Reader,
    kpi: Annotated[str | None, Query(pattern=r"^[A-Z][0-9]{5}$", examples=["N00945"])] = None,
) -> list[KoladaEntry]:
    return await outcomes.export_kolada(session, register, kpi)
