"""Tertial follow-up: what report robots pull every four months."""

from __future__ import annotations

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from budget_service.api.deps import BUDGET, IfMatchToChange, Key, Reader, Session, Writer
from budget_service.schemas import FollowUpIn
from budget_service.use_cases import follow_up
from municipal_shared.contracts.budget import BudgetFollowUp
from municipal_shared.kit.documents import Rendered
from municipal_shared.kit.params import Documents
from municipal_shared.kit.problems import problem_responses
from municipal_shared.kit.routing import service_router
from municipal_shared.types import Tertial

router = service_router(tags=["follow-up"])
OK = {
    "description": "Follow-up per activity area",
    "headers": {
        "ETag": {
            "description": "Present once reported; send as If-Match to change",
            "schema": {"type": "string"},
        }
    },
}


@router.get(
    BUDGET + "/follow-up/{tertial}",
    operation_id="getFollowUp",
    summary="Outcome to date, full-year forecast and deviation per activity area for a tertial",
    response_model=BudgetFollowUp,
    responses={200: OK, **problem_responses(401, 403, 404, 422)},
)
async def get_follow_up(
    key: Key, tertial: Tertial, _: Reader, documents: Documents, request: Request
) -> Response:
    """The tertial's follow-up per activity area: outcome to date, full-year forecast and the
    deviation from the budget, cumulative from January (the shared contract the composed report
    reads)."""

    async def render(session: AsyncSession) -> Rendered:
        return (await follow_up.show_follow_up(session, key, tertial)).rendered()

    return await documents.serve(request, render)


@router.put(
    BUDGET + "/follow-up/{tertial}",
    operation_id="reportFollowUp",
    summary="Report (or correct, with If-Match) the tertial's outcomes and forecasts",
    response_model=BudgetFollowUp,
    responses={200: OK, **problem_responses(401, 403, 404, 409, 412, 422, 428)},
)
async def report_follow_up(
    key: Key,
    tertial: Tertial,
    body: FollowUpIn,
    session: Session,
    writer: Writer,
    response: Response,
    if_match: IfMatchToChange = None,
) -> BudgetFollowUp:
    """Reports the tertial's outcomes and forecasts per activity area. The first report needs no
    If-Match; a correction must send the ETag it read (428 without, 412 when stale). Amounts are
    thousand SEK, exact: a JSON number or string, kept as written."""
    shown = await follow_up.report_follow_up(session, writer.subject, key, tertial, if_match, body)
    response.headers.update(shown.headers())
    return shown.body
