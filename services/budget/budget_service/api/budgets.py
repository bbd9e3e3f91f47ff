"""Budgets and their versions: the document, its phases, decisions and edits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from budget_service import repository as repo
from budget_service import service
from budget_service.api.deps import (
    BUDGET,
    Decider,
    IfMatch,
    Key,
    Reader,
    Session,
    VersionPath,
    Writer,
)
from budget_service.document import (
    budget_path,
    build_document,
    summary_of,
    version_etag,
    version_out,
)
from budget_service.models import Budget, BudgetVersion
from budget_service.schemas import (
    BudgetDocument,
    BudgetIn,
    BudgetListItem,
    DecisionIn,
    NewChangeLineIn,
    NewVersionIn,
    VersionContentIn,
    VersionOut,
)
from budget_service.vocabulary import Phase
from municipal_shared.kit.pagination import Page, Pagination, fetch_page
from municipal_shared.kit.problems import problem_responses

router = APIRouter(tags=["budgets"])
ETAG_HEADER = {
    "ETag": {
        "description": "Send it back as If-Match to change this version",
        "schema": {"type": "string"},
    }
}
DOCUMENT_OK = {"description": "The budget document", "headers": ETAG_HEADER}
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 428)


async def _document(
    session: AsyncSession, budget: Budget, version: BudgetVersion, response: Response
) -> BudgetDocument:
    response.headers["ETag"] = version_etag(version)
    return await build_document(session, budget, version)


@router.get(
    "/v1/budgets",
    operation_id="listBudgets",
    summary="List budgets, filtered by municipality, board and year",
    response_model=Page[BudgetListItem],
    responses=problem_responses(401, 403, 422),
)
async def list_budgets(
    session: Session,
    _: Reader,
    page: Pagination,
    municipality_code: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
    board_code: Annotated[str | None, Query(max_length=16)] = None,
    budget_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Page[BudgetListItem]:
    query = repo.budgets_query(municipality_code, board_code, budget_year)
    budgets, total = await fetch_page(session, query, page)
    heads = await repo.head_numbers(session, [b.id for b in budgets])
    items = [
        BudgetListItem(
            **summary_of(b),
            current_version=heads[b.id].number,
            current_phase=Phase(heads[b.id].phase),
            current_status=heads[b.id].status,
            href=budget_path(b),
        )
        for b in budgets
    ]
    return page.of(items, total)


@router.post(
    "/v1/budgets",
    operation_id="createBudget",
    summary="Create a budget for a registered board and year, with a draft directive version",
    status_code=201,
    response_model=BudgetDocument,
    responses={201: DOCUMENT_OK, **problem_responses(401, 403, 409, 422)},
)
async def create_budget(
    body: BudgetIn, session: Session, writer: Writer, response: Response
) -> BudgetDocument:
    budget = await service.create_budget(session, writer.subject, body)
    version = await repo.head_version(session, budget.id)
    response.headers["Location"] = budget_path(budget)
    return await _document(session, budget, version, response)


@router.get(
    BUDGET,
    operation_id="getBudget",
    summary="The budget's current version with every line and every derived total",
    response_model=BudgetDocument,
    responses={200: DOCUMENT_OK, **problem_responses(401, 403, 404, 422)},
)
async def get_budget(key: Key, session: Session, _: Reader, response: Response) -> BudgetDocument:
    budget = await service.find_budget(session, key)
    return await _document(session, budget, await repo.head_version(session, budget.id), response)


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
    budget = await service.find_budget(session, key)
    versions, total = await fetch_page(session, repo.versions_query(budget.id), page)
    supersessions = await repo.supersessions(session, budget.id)
    items = [version_out(v, supersessions.get(v.number)) for v in versions]
    return page.of(items, total)


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
    version = await service.create_successor(session, writer.subject, key, body)
    budget = await service.find_budget(session, key)
    response.headers["Location"] = f"{budget_path(budget)}/versions/{version.number}"
    return await _document(session, budget, version, response)


@router.get(
    BUDGET + "/versions/{number}",
    operation_id="getVersion",
    summary="One version of the budget with its totals",
    response_model=BudgetDocument,
    responses={200: DOCUMENT_OK, **problem_responses(401, 403, 404, 422)},
)
async def get_version(
    key: Key, number: VersionPath, session: Session, _: Reader, response: Response
) -> BudgetDocument:
    budget = await service.find_budget(session, key)
    version = await service.find_version(session, budget, number)
    return await _document(session, budget, version, response)


@router.put(
    BUDGET + "/versions/{number}",
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
    version = await service.replace_content(session, writer.subject, key, number, if_match, body)
    budget = await service.find_budget(session, key)
    return await _document(session, budget, version, response)


@router.delete(
    BUDGET + "/versions/{number}",
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
    reason: Annotated[str, Query(min_length=3, max_length=2000)],
    if_match: IfMatch = None,
) -> Response:
    await service.discard_draft(session, writer.subject, key, number, if_match, reason)
    return Response(status_code=204)


@router.post(
    BUDGET + "/versions/{number}/decision",
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
    version = await service.decide(session, decider.subject, key, number, if_match, body)
    budget = await service.find_budget(session, key)
    return await _document(session, budget, version, response)


@router.post(
    BUDGET + "/versions/{number}/change-lines",
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
    version = await service.add_change_line(session, writer.subject, key, number, if_match, body)
    budget = await service.find_budget(session, key)
    return await _document(session, budget, version, response)


@router.delete(
    BUDGET + "/versions/{number}/change-lines/{line_id}",
    operation_id="deleteChangeLine",
    summary="Remove a change line from a draft version",
    response_model=BudgetDocument,
    responses={200: DOCUMENT_OK, **WRITE_ERRORS},
)
async def delete_change_line(
    key: Key,
    number: VersionPath,
    line_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    session: Session,
    writer: Writer,
    response: Response,
    reason: Annotated[str, Query(min_length=3, max_length=2000)],
    if_match: IfMatch = None,
) -> BudgetDocument:
    version = await service.delete_change_line(
        session, writer.subject, key, number, line_id, if_match, reason
    )
    budget = await service.find_budget(session, key)
    return await _document(session, budget, version, response)
