"""Tertial follow-up: what report robots pull every four months."""

from __future__ import annotations

from fastapi import APIRouter, Response

from budget_service import service
from budget_service.api.deps import BUDGET, IfMatch, Key, Reader, Session, Writer
from budget_service.follow_up import build_follow_up, put_follow_up
from budget_service.schemas import FollowUpIn
from municipal_shared.contracts.budget import BudgetFollowUp
from municipal_shared.kit.problems import problem_responses
from municipal_shared.types import Tertial

router = APIRouter(tags=["follow-up"])
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
    key: Key, tertial: Tertial, session: Session, _: Reader, response: Response
) -> BudgetFollowUp:
    budget = await service.find_budget(session, key)
    body, etag = await build_follow_up(session, budget, tertial)
    if etag:
        response.headers["ETag"] = etag
    return body


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
    if_match: IfMatch = None,
) -> BudgetFollowUp:
    await put_follow_up(session, writer.subject, key, tertial, if_match, body)
    budget = await service.find_budget(session, key)
    document, etag = await build_follow_up(session, budget, tertial)
    response.headers["ETag"] = etag or ""
    return document
