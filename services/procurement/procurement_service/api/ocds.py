"""OCDS 1.1 release and record packages from the procurement system."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel

from municipal_shared.kit.problems import InvalidContent, field_error, problem_responses
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


def _refuse_too_many_releases(payload: dict[str, Any], limit: int) -> None:
    """Counted before the schema check and the database: 30 000 stub releases would take
    minutes to check and hold the (SQLite) write lock while stored."""
    records = payload.get("records")
    if isinstance(records, list):
        # A record counts its releases (embedded or linked), at least one: its compiledRelease.
        pointer = "/records"
        count = sum(
            max(1, len(r["releases"]))
            if isinstance(r, dict) and isinstance(r.get("releases"), list)
            else 1
            for r in records
        )
    else:
        releases = payload.get("releases")
        pointer, count = "/releases", len(releases) if isinstance(releases, list) else 0
    if count > limit:
        message = f"{count} releases; a package may hold at most {limit}"
        raise InvalidContent(
            f"Too many releases: send at most {limit} per package",
            errors=[field_error(pointer, message, "too_long")],
            max_releases=limit,
        )


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
    _refuse_too_many_releases(payload, request.app.state.settings.max_releases)
    buyers = request.app.state.settings.buyers
    attribution = attribution_rules.for_ocds(buyers, municipality_code, board)
    result = await ocds_ingest.ingest(
        session, writer.subject, municipality_code, payload, key, attribution
    )
    return OcdsResult(**result)
