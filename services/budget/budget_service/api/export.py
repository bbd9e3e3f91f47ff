"""Open Fiscal Data Package export: datapackage.json beside the CSV it describes."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from budget_service.api.deps import BUDGET, Key, Reader, Session
from budget_service.use_cases import export
from municipal_shared.kit.problems import problem_responses
from municipal_shared.kit.routing import service_router

router = service_router(tags=["export"])
PACKAGE = BUDGET + "/fiscal-data-package"


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
    """The Open Fiscal Data Package descriptor (datapackage.json) of every version of the budget:
    amounts in thousand SEK (factor 1000), with the CSV resource beside it."""
    return await export.fiscal_data_package(session, key)


@router.get(
    PACKAGE + "/" + export.CSV_PATH,
    operation_id="getFiscalDataCsv",
    summary="The package's data: one row per line, year and phase, thousand SEK",
    response_class=Response,
    responses={
        200: {"description": "CSV, UTF-8", "content": {"text/csv": {"example": "version,phase\n"}}},
        **problem_responses(401, 403, 404, 422),
    },
)
async def get_csv(key: Key, session: Session, _: Reader) -> Response:
    """The Fiscal Data Package's CSV: one row per budget line, year and phase, in thousand SEK."""
    text = await export.fiscal_data_csv(session, key)
    return Response(text, media_type="text/csv; charset=utf-8")
