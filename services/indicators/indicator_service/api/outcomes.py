"""Intake of outcomes from people, other services and Kolada; the changes feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from indicator_service import kolada, service
from indicator_service import repository as repo
from indicator_service.api.deps import (
    REGISTER,
    IdempotencyKey,
    Reader,
    RegisterDep,
    Session,
    Writer,
)
from indicator_service.presenters import outcome_out
from indicator_service.schemas_intake import (
    KoladaEntry,
    KoladaImportIn,
    OutcomeBatchIn,
    OutcomeBatchResult,
)
from indicator_service.schemas_out import ChangeOut, ChangesPage
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
    return await service.record_outcomes(
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
    rows = await repo.changes_since(session, register.id, since, limit)
    codes = {i.id: i.code for i in (await repo.indicators_by_code(session, register.id)).values()}
    items = [
        ChangeOut(**outcome_out(o).model_dump(), indicator_code=codes[o.indicator_id]) for o in rows
    ]
    return ChangesPage(items=items, next_since=rows[-1].id if rows else since)


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
    mapped = await repo.kolada_indicators(session, register.id)
    by_kpi = {i.source_ref: i for i in mapped if i.source_ref is not None}  # all, by the query
    items = kolada.items_from_kolada(body.values, register.municipality_code, by_kpi)
    return await service.record_outcomes(
        session, writer.subject, register, items, body.reason, idempotency_key
    )


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
    mapped = {i.id: i for i in await repo.kolada_indicators(session, register.id, kpi)}
    outcomes = await repo.current_outcomes(
        session, register.id, indicator_ids=list(mapped), annual_only=True, gender=None
    )
    return kolada.kolada_from_outcomes(outcomes, register.municipality_code, mapped)
