"""OCDS 1.1 out: a record package per contracting process and a release package feed, for
open-data users and OCDS tools (Kingfisher, Cardinal, CoVE). Read with the same access as the
other procurement reads."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Path, Query, Request, Response

from municipal_shared.kit.problems import problem_responses
from municipal_shared.kit.routing import service_router
from procurement_service.api.deps import MunicipalityPath, Reader, Session, Settings
from procurement_service.schemas_out import OcdsRecordPackage, OcdsReleasePackage
from procurement_service.use_cases import ocds_out

router = service_router(tags=["ocds"])
OCDS = "/v1/procurements/{municipality_code}/ocds"
JSON = "application/json"


def _json(body: dict[str, Any]) -> Response:
    # Sent as built: the stored releases are published as received, not re-read by a model.
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return Response(text.encode(), media_type=JSON)


@router.get(
    OCDS + "/records/{ocid}",
    operation_id="getOcdsRecordPackage",
    summary="The OCDS record package of one contracting process",
    description="Its releases in date order, as received after redaction (a sole trader only "
    "by pseudonym), or the release of a native outcome's current version; and the compiled "
    "release by the OCDS merge rules.",
    response_model=OcdsRecordPackage,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_record_package(
    municipality_code: MunicipalityPath,
    ocid: Annotated[
        str,
        Path(
            pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$",
            examples=["ocds-abc123-0580-KS-2018-007"],
        ),
    ],
    request: Request,
    session: Session,
    settings: Settings,
    _: Reader,
) -> Response:
    uri = str(request.url)
    return _json(await ocds_out.record_package(session, settings, municipality_code, ocid, uri))


@router.get(
    OCDS + "/releases",
    operation_id="listOcdsReleases",
    summary="The municipality's OCDS releases as a release package feed, after a cursor",
    description="Releases received in OCDS (as received after redaction) and the current "
    "release of every native outcome, in the order they were stored. Follow `links.next` to "
    "the end (an empty page, `releases: []`), and keep the last one to resume from later.",
    response_model=OcdsReleasePackage,
    responses=problem_responses(401, 403, 422),
)
async def list_releases(
    municipality_code: MunicipalityPath,
    request: Request,
    session: Session,
    settings: Settings,
    _: Reader,
    since: Annotated[
        str | None,
        Query(max_length=200, description="From `links.next` of the previous page."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    def page_uri(cursor: str) -> str:
        return str(request.url.include_query_params(since=cursor))

    return _json(
        await ocds_out.release_feed(
            session, settings, municipality_code, since, limit, str(request.url), page_uri
        )
    )
