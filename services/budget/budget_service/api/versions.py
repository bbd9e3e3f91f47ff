"""A budget's versions: its phases and revisions, their content, decisions and change lines.
Every answer but the discard is the version's document, with its ETag."""

from __future__ import annotations

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from budget_service.api.budgets import DOCUMENT_OK, WRITE_ERRORS
from budget_service.api.deps import (
    BUDGET,
    Decider,
    IdPath,
    IfMatch,
    Key,
    Reader,
    ReasonQuery,
    Session,
    VersionPath,
    Writer,
)
from budget_service.schemas import DecisionIn, NewChangeLineIn, NewVersionIn, VersionContentIn
from budget_service.schemas_out import BudgetDocument, VersionOut
from budget_service.use_cases import change_lines, decisions, versions
from budget_service.use_cases.results import Tagged
from municipal_shared.kit.documents import Rendered
from municipal_shared.kit.pagination import Page, Pagination
from municipal_shared.kit.params import Documents
from municipal_shared.kit.problems import problem_responses
from municipal_shared.kit.routing import service_router

router = service_router(tags=["budgets"])
VERSION = BUDGET + "/versions/{number}"


def _answer(shown: Tagged[BudgetDocument], response: Response) -> BudgetDocument:
    response.headers.update(shown.headers())
    return shown.body


@router.get(
    BUDGET + "/versions",
    operation_id="listVersions",
    summary="List the versions (phases and revisions) of a budget",
    response_model=Page[VersionOut],
    responses=problem_responses(401, 403, 404, 422),
)
async def list_versions(
    key: Key, session: Session, _: Reader, page: Pagination
) -> Page[VersionOut]:
    """The budget's versions, one per phase or revision, oldest first, paginated."""
    return await versions.list_versions(session, key, page)


@router.post(
    BUDGET + "/versions",
    operation_id="createVersion",
    summary="Start the next phase or a revision from the decided head version",
    status_code=201,
    response_model=BudgetDocument,
    responses={201: DOCUMENT_OK, **WRITE_ERRORS},
)
async def create_version(
    key: Key, body: NewVersionIn, session: Session, writer: Writer, response: Response
) -> BudgetDocument:
    """Starts the next phase (or a revision) as a draft copied from the decided head version;
    answers the new version's document with its ETag."""
    created = await versions.create_successor(session, writer.subject, key, body)
    response.headers["Location"] = created.body.links["self"]
    return _answer(created, response)


@router.get(
    VERSION,
    operation_id="getVersion",
    summary="One version of the budget with its totals",
    response_model=BudgetDocument,
    responses={200: DOCUMENT_OK, **problem_responses(401, 403, 404, 422)},
)
async def get_version(
    key: Key, number: VersionPath, _: Reader, documents: Documents, request: Request
) -> Response:
    """One version of the budget with its lines and derived totals, and the ETag that a change sends
    as If-Match."""

    async def render(session: AsyncSession) -> Rendered:
        return (await versions.show_version(session, key, number)).rendered()

    return await documents.serve(request, render)


@router.put(
    VERSION,
    operation_id="replaceVersionContent",
    summary="Replace a draft version's lines (directive, areas, investments); totals are derived",
    response_model=BudgetDocument,
    responses={200: DOCUMENT_OK, **WRITE_ERRORS},
)
async def replace_version(
    key: Key,
    number: VersionPath,
    body: VersionContentIn,
    session: Session,
    writer: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> BudgetDocument:
    """Replaces the draft version's content (directive lines, activity areas, investments); totals
    are derived, never sent. Needs the ETag as If-Match (428 without, 412 when stale); a decided
    version is locked (409)."""
    shown = await versions.replace_content(session, writer.subject, key, number, if_match, body)
    return _answer(shown, response)


@router.delete(
    VERSION,
    operation_id="discardDraftVersion",
    summary="Discard the latest draft version (never a decided one)",
    status_code=204,
    responses=WRITE_ERRORS,
)
async def discard_version(
    key: Key,
    number: VersionPath,
    session: Session,
    writer: Writer,
    reason: ReasonQuery,
    if_match: IfMatch = None,
) -> Response:
    """Discards the latest draft version; a decided version is never discarded (409). Needs the ETag
    as If-Match and a reason for the audit log."""
    await versions.discard_draft(session, writer.subject, key, number, if_match, reason)
    return Response(status_code=204)


@router.post(
    VERSION + "/decision",
    operation_id="decideVersion",
    summary="Record the decision (body, date, paragraph) that locks a version",
    response_model=BudgetDocument,
    responses={200: DOCUMENT_OK, **WRITE_ERRORS},
)
async def decide_version(
    key: Key,
    number: VersionPath,
    body: DecisionIn,
    session: Session,
    decider: Decider,
    response: Response,
    if_match: IfMatch = None,
) -> BudgetDocument:
    """Records the decision (body, date, paragraph) that locks the version. Needs `budget:decide`
    and the ETag as If-Match."""
    shown = await decisions.decide(session, decider.subject, key, number, if_match, body)
    return _answer(shown, response)


@router.post(
    VERSION + "/change-lines",
    operation_id="addChangeLine",
    summary="Add a change line to an activity area of a draft version",
    status_code=201,
    response_model=BudgetDocument,
    responses={201: DOCUMENT_OK, **WRITE_ERRORS},
)
async def add_change_line(
    key: Key,
    number: VersionPath,
    body: NewChangeLineIn,
    session: Session,
    writer: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> BudgetDocument:
    """Adds a change line (amounts per year, thousand SEK) to an activity area of a draft version.
    Needs the ETag as If-Match."""
    shown = await change_lines.add_change_line(session, writer.subject, key, number, if_match, body)
    return _answer(shown, response)


@router.delete(
    VERSION + "/change-lines/{line_id}",
    operation_id="deleteChangeLine",
    summary="Remove a change line from a draft version",
    response_model=BudgetDocument,
    responses={200: DOCUMENT_OK, **WRITE_ERRORS},
)
async def delete_change_line(
    key: Key,
    number: VersionPath,
    line_id: IdPath,
    session: Session,
    writer: Writer,
    response: Response,
    reason: ReasonQuery,
    if_match: IfMatch = None,
) -> BudgetDocument:
    """Removes a change line from a draft version, with a reason for the audit log. Needs the ETag
    as If-Match."""
    shown = await change_lines.delete_change_line(
        session, writer.subject, key, number, line_id, if_match, reason
    )
    return _answer(shown, response)
