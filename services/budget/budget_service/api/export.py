"""Open Fiscal Data Package export: datapackage.json beside the CSV it describes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy.ext.asyncio import AsyncSession

from budget_service import repository as repo
from budget_service import service
from budget_service.api.deps import BUDGET, Key, Reader, Session
from budget_service.document import build_document
from budget_service.fiscal_data_package import budget_csv, datapackage
from budget_service.schemas import BudgetDocument
from budget_service.service import BudgetKey
from municipal_shared.kit.problems import problem_responses

router = APIRouter(tags=["export"])
PACKAGE = BUDGET + "/fiscal-data-package"
MAX_VERSIONS = 200


async def _documents(session: AsyncSession, key: BudgetKey) -> list[BudgetDocument]:
    budget = await service.find_budget(session, key)
    numbers = [
        v.number
        for v in (
            await session.execute(repo.versions_query(budget.id).limit(MAX_VERSIONS))
        ).scalars()
    ]
    return [
        await build_document(session, budget, await service.find_version(session, budget, n))
        for n in numbers
    ]


@router.get(
    PACKAGE + "/datapackage.json",
    operation_id="getFiscalDataPackage",
    summary="Fiscal Data Package descriptor (factor 1000, SEK) of every version of the budget",
    responses={
        200: {
            "description": "datapackage.json",
            "content": {
                "application/json": {
                    "example": {"profile": "fiscal-data-package", "name": "0580-ks-2018"}
                }
            },
        },
        **problem_responses(401, 403, 404, 422),
    },
)
async def get_datapackage(key: Key, session: Session, _: Reader) -> dict[str, Any]:
    return datapackage(await _documents(session, key), csv_path="budget.csv")


@router.get(
    PACKAGE + "/budget.csv",
    operation_id="getFiscalDataCsv",
    summary="The package's data: one row per line, year and phase, thousand SEK",
    response_class=Response,
    responses={
        200: {"description": "CSV, UTF-8", "content": {"text/csv": {"example": "version,phase\n"}}},
        **problem_responses(401, 403, 404, 422),
    },
)
async def get_csv(key: Key, session: Session, _: Reader) -> Response:
    text = budget_csv(await _documents(session, key))
    return Response(text, media_type="text/csv; charset=utf-8")
