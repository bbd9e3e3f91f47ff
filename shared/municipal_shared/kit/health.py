"""/healthz says the process runs; /readyz says the database answers and is at the alembic head
(a service whose schema lags its code must not take traffic)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from municipal_shared.kit.database import Database
from municipal_shared.kit.migrations import current_revision


class Health(BaseModel):
    status: str
    detail: str | None = None
    revision: str | None = None
    expected_revision: str | None = None


def health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get(
        "/healthz",
        operation_id="healthz",
        summary="Liveness: the process answers",
        response_model=Health,
        responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}},
    )
    async def healthz() -> Health:
        return Health(status="ok")

    @router.get(
        "/readyz",
        operation_id="readyz",
        summary="Readiness: database reachable and at the migration head",
        response_model=Health,
        responses={
            200: {"content": {"application/json": {"example": {"status": "ready"}}}},
            503: {"model": Health, "description": "Not ready; detail says why"},
        },
    )
    async def readyz(request: Request) -> Health | JSONResponse:
        database: Database = request.app.state.database
        expected: str | None = request.app.state.head_revision
        version_table: str = request.app.state.version_table
        seconds: float = request.app.state.settings.readiness_timeout_seconds
        # A stalled database must not stall the probe: answer within `seconds` and let the
        # check cancel and clean up in the background (cleanup can wait on the dead socket).
        check = asyncio.ensure_future(_database_revision(database, version_table))
        done, _ = await asyncio.wait({check}, timeout=seconds)
        if not done:
            check.cancel()
            check.add_done_callback(_discard_outcome)
            body = Health(
                status="unavailable", detail=f"database did not answer within {seconds:g} s"
            )
            return JSONResponse(body.model_dump(), status_code=503)
        try:
            revision = check.result()
        except Exception as exc:  # any failure to reach the database means not ready
            body = Health(
                status="unavailable", detail=f"database unreachable: {type(exc).__name__}"
            )
            return JSONResponse(body.model_dump(), status_code=503)
        if revision != expected:
            body = Health(
                status="unavailable",
                detail="database schema is not at the migration head; run migrate",
                revision=revision,
                expected_revision=expected,
            )
            return JSONResponse(body.model_dump(), status_code=503)
        return Health(status="ready", revision=revision)

    return router


async def _database_revision(database: Database, version_table: str) -> str | None:
    async with database.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
    return await current_revision(database.engine, version_table)


def _discard_outcome(task: asyncio.Future[str | None]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log it as never retrieved
