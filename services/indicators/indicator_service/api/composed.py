"""The composed tertial report and its sign-off."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query, Request, Response

from indicator_service.api.deps import REGISTER, Approver, PeersDep, Reader, RegisterDep
from indicator_service.rendering.formats import MEDIA_TYPES, ReportFormat, negotiate
from indicator_service.rendering.page import PAGE_CSP
from indicator_service.schemas import ApprovalIn
from indicator_service.schemas_out import ComposedReportDocument
from indicator_service.use_cases import composed_presentation, composed_report
from municipal_shared.kit.documents import Rendered
from municipal_shared.kit.params import BoardPath, Documents, MunicipalityPath, Session, YearPath
from municipal_shared.kit.problems import problem_responses
from municipal_shared.kit.routing import service_router
from municipal_shared.types import Tertial

router = service_router(tags=["reports"])
COMPOSED = REGISTER + "/reports/{year}/{tertial}/composed"

# The other representations of the composed report, also at a sibling path of their own.
_EXAMPLES = {
    ReportFormat.HTML: '<!DOCTYPE html><html lang="sv">…<h1>Delårsrapport T2 2018</h1>…',
    ReportFormat.PDF: "%PDF-1.7 …",
    ReportFormat.CSV: "avsnitt;kod;namn;uppgift;värde;text\r\n"
    "Budgetuppföljning;summa;Summa;Budget (tkr);389504;\r\n",
    ReportFormat.XLSX: "PK… (an Office Open XML workbook)",
}
_ALTERNATIVES = {
    MEDIA_TYPES[kind].split(";")[0]: {
        "schema": {"type": "string", "format": "binary"},
        "example": _EXAMPLES[kind],
    }
    for kind in ReportFormat
}


@router.get(
    COMPOSED,
    operation_id="getComposedReport",
    summary="Register, budget follow-up and procurement in one report; frozen once approved",
    response_model=ComposedReportDocument,
    responses={200: {"content": _ALTERNATIVES}, **problem_responses(401, 403, 404, 422)},
)
async def composed_report_of(
    municipality_code: MunicipalityPath,
    board_code: BoardPath,
    year: YearPath,
    tertial: Tertial,
    _: Reader,
    peers: PeersDep,
    documents: Documents,
    request: Request,
    lang: Annotated[
        Literal["en", "sv"],
        Query(description="sv: the evaluation texts (`reason`) in Swedish; the rest as is."),
    ] = "en",
) -> Response:
    """The register's tertial report with the budget follow-up and the procurement measurement, each
    section read from its service against the shared contract (`available`) or naming why it
    could not be (`unavailable`). Once approved: the snapshot as approved, with every figure
    changed since."""
    where = (municipality_code, board_code, year, tertial)
    wanted = negotiate(request.headers.get("accept"))
    if wanted is not None:  # the page, PDF, CSV or XLSX: the sibling route's document
        key = request.url.path + f".{wanted}"
        response = await _serve_as(
            wanted, key, *where, request=request, peers=peers, documents=documents
        )
    elif lang == "sv":
        composed = await composed_presentation.in_swedish(peers, *where)
        keyed = _keyed(request, request.url.path + ".sv")
        response = await documents.serve(keyed, composed.render, variant=composed.variant)
    else:
        composed = await composed_report.document(peers, *where)
        # Stored per state of the register and the peers' ETags (kit/document_store.py).
        response = await documents.serve(request, composed.render, variant=composed.variant)
    response.headers["Vary"] = "Accept"
    return response


@router.post(
    COMPOSED + "/approval",
    operation_id="approveComposedReport",
    summary="Approve (sign off) the composed report: its figures are frozen as they are now",
    status_code=201,
    response_model=ComposedReportDocument,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def approve(
    approver: Approver,
    register: RegisterDep,
    year: YearPath,
    tertial: Tertial,
    body: ApprovalIn,
    session: Session,
    peers: PeersDep,
) -> Response:
    """Signs off the composed report: its figures are frozen as they are now. Every section must be
    available (else 409); a report is approved once (409 after)."""
    approved = await composed_report.approve(
        session, peers, register, year, tertial, body, approver.subject
    )
    # The bytes every later GET serves of this snapshot, not a second rendering of them.
    return Response(Rendered.of(approved).body, status_code=201, media_type="application/json")


@router.get(
    COMPOSED + ".{representation}",
    operation_id="getComposedReportAs",
    summary="The composed report as a page in Swedish (html), its PDF, CSV or an XLSX workbook",
    response_class=Response,
    responses={
        200: {
            "description": "The report in the representation asked for.",
            "content": _ALTERNATIVES,
        },
        **problem_responses(401, 403, 404, 422),
    },
)
async def composed_report_as(
    municipality_code: MunicipalityPath,
    board_code: BoardPath,
    year: YearPath,
    tertial: Tertial,
    representation: ReportFormat,
    _: Reader,
    peers: PeersDep,
    documents: Documents,
    request: Request,
) -> Response:
    """What `Accept: text/html`, `application/pdf`, `text/csv` or the XLSX media type on
    the composed report gives: the page headed like the budget document with a table per
    council goal, the budget follow-up and the procurement trend with charts (inline SVG),
    printable to A4; the PDF of that page; the report's rows as CSV (one line per figure,
    semicolons and a decimal comma) or XLSX (one sheet per section, figures as numbers)."""
    where = (municipality_code, board_code, year, tertial)
    return await _serve_as(
        representation, request.url.path, *where, request=request, peers=peers, documents=documents
    )


async def _serve_as(
    representation: ReportFormat,
    key: str,
    municipality_code: str,
    board_code: str,
    year: int,
    tertial: Tertial,
    *,
    request: Request,
    peers: PeersDep,
    documents: Documents,
) -> Response:
    composed = await composed_presentation.document(
        peers, municipality_code, board_code, year, tertial, representation
    )
    response = await documents.serve(
        _keyed(request, key), composed.render, variant=composed.variant
    )
    if representation is ReportFormat.HTML:
        # The services' policy forbids inline styles; the page's own <style> block is allowed
        # by its hash, and nothing else is (kit/edge.py keeps a policy a route has set).
        response.headers["Content-Security-Policy"] = PAGE_CSP
    else:
        name = f"{municipality_code}-{board_code}-{year}-{tertial}.{representation}"
        disposition = "inline" if representation is ReportFormat.PDF else "attachment"
        response.headers["Content-Disposition"] = f'{disposition}; filename="rapport-{name}"'
    return response


def _keyed(request: Request, path: str) -> Request:
    """The request as the document store sees it, at the path its document is kept under:
    a representation asked for by Accept is the one its sibling path serves, stored once."""
    return Request({**request.scope, "path": path}, request.receive)
