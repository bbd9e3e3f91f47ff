"""OCDS 1.1 release and record packages from the procurement system."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Query

from municipal_shared.kit.problems import problem_responses
from municipal_shared.kit.routing import service_router
from municipal_shared.types import BOARD_CODE_PATTERN
from procurement_service.api.deps import (
    MunicipalityPath,
    PersonalDataKey,
    Session,
    Settings,
    Writer,
)
from procurement_service.schemas_out import OcdsResult
from procurement_service.use_cases import ocds_intake

router = service_router(tags=["ocds"])
EXAMPLE = {
    "uri": "https://upphandling.linkoping.se/ocds/2018-007.json",
    "publisher": {"name": "Linköpings kommun"},
    "publishedDate": "2018-03-01T00:00:00Z",
    "version": "1.1",
    "releases": [],
}


@router.post(
    "/v1/procurements/{municipality_code}/ocds",
    operation_id="postOcdsPackage",
    summary="Receive an OCDS release or record package; stored whole or not at all",
    response_model=OcdsResult,
    responses=problem_responses(401, 403, 409, 422),
)
async def post_package(
    municipality_code: MunicipalityPath,
    settings: Settings,
    session: Session,
    writer: Writer,
    key: PersonalDataKey,
    payload: dict[str, Any] = Body(openapi_examples={"release package": {"value": EXAMPLE}}),
    board: Annotated[
        str | None,
        Query(
            pattern=BOARD_CODE_PATTERN,
            description="The board the package's procurements belong to; else the buying "
            "administration's board, else the municipality's default board.",
        ),
    ] = None,
) -> OcdsResult:
    """Receives an OCDS 1.1 release or record package from the procurement system, validated against
    the OCDS schema; its procurements are stored whole or not at all, a sole trader's identity
    only as a pseudonym."""
    return await ocds_intake.receive_package(
        session,
        writer.subject,
        municipality_code,
        payload,
        key,
        buyers=settings.buyers,
        board=board,
        max_releases=settings.max_releases,
    )
