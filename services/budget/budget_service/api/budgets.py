"""Budgets: the list, a new budget, and the budget's current version as a document."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from budget_service.api.deps import BUDGET, Key, Reader, Session, Writer
from budget_service.schemas import BudgetIn
from budget_service.schemas_out import BudgetDocument, BudgetListItem
from budget_service.use_cases import budgets
from municipal_shared.kit.documents import Rendered
from municipal_shared.kit.pagination import Page, Pagination
from municipal_shared.kit.params import Documents
from municipal_shared.kit.problems import problem_responses
from municipal_shared.kit.routing import service_router

router = service_router(tags=["budgets"])
ETAG_HEADER = {
    "ETag": {
        "description": "Send it back as If-Match to change this version",
        "schema": {"type": "string"},
    }
}
DOCUMENT_OK = {"description": "The budget document", "headers": ETAG_HEADER}
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 428)


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
    """The budgets stored, one item per board and budget year, paginated; filter by municipality,
    board or year."""
    return await budgets.list_budgets(session, page, municipality_code, board_code, budget_year)


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
    """Creates the budget of a registered municipality and board for a budget year with an empty
    draft directive version. Answers the budget document with its ETag and Location; a budget
    that exists is a 409."""
    created = await budgets.create_budget(session, writer.subject, body)
    response.headers.update(created.headers())
    response.headers["Location"] = created.body.links["budget"]
    return created.body


@router.get(
    BUDGET,
    operation_id="getBudget",
    summary="The budget's current version with every line and every derived total",
    response_model=BudgetDocument,
    responses={200: DOCUMENT_OK, **problem_responses(401, 403, 404, 422)},
)
async def get_budget(key: Key, _: Reader, documents: Documents, request: Request) -> Response:
    """The budget's current version as one document: directive lines, activity areas with change
    lines, investments, and every derived total. Send the ETag as If-None-Match to revalidate
    (304)."""

    async def render(session: AsyncSession) -> Rendered:
        return (await budgets.show_budget(session, key)).rendered()

    return await documents.serve(request, render)
