"""OCDS 1.1 release and record packages from the procurement system."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel

from municipal_shared.kit.problems import problem_responses
from municipal_shared.types import BOARD_CODE_PATTERN
from procurement_service import attribution as attribution_rules
from procurement_service import ocds_ingest
from procurement_service.api.deps import MunicipalityPath, PersonalDataKey, Session, Writer

router = APIRouter(tags=["ocds"])
EXAMPLE = {
    "uri": "https://upphandling.linkoping.se/ocds/2018-007.json",
    "publisher": {"name": "Linköpings kommun"},
    "publishedDate": "2018-03-01T00:00:00Z",
    "version": "1.1",
    "releases": [],
}


class OcdsResult(BaseModel):
    stored: int
    unchanged: int
    procurements: list[str]


@router.post(
    "/v1/procurements/{municipality_code}/ocds",
    operation_id="postOcdsPackage",
    summary="Receive an OCDS release or record package; stored whole or not at all",
    response_model=OcdsResult,
    responses=problem_responses(401, 403, 409, 422),
)
async def post_package(
    municipality_code: MunicipalityPath,
    request: Request,
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
    buyers = request.app.state.settings.buyers
    attribution = attribution_rules.for_ocds(buyers, municipality_code, board)
    result = await ocds_ingest.ingest(
        session, writer.subject, municipality_code, payload, key, attribution
    )
    return OcdsResult(**result)
