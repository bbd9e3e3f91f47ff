"""What is waiting to be delivered to the indicator register, and what could not be."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel
from sqlalchemy import func, select

from municipal_shared.kit.database import commit
from municipal_shared.kit.outbox import dead_letters_query, requeue
from municipal_shared.kit.pagination import Page, Pagination
from municipal_shared.kit.problems import NotFound, problem_responses
from procurement_service.api.deps import Admin, OutboxReader, Session
from procurement_service.models import OUTBOX

router = APIRouter(tags=["outbox"])


class DeadLetter(BaseModel):
    id: int
    destination: str
    path: str
    idempotency_key: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: dt.datetime


class OutboxState(BaseModel):
    pending: int
    delivered: int
    dead: int


@router.get(
    "/v1/outbox",
    operation_id="getOutboxState",
    summary="How many messages are pending, delivered and dead",
    response_model=OutboxState,
    responses={
        200: {
            "content": {"application/json": {"example": {"pending": 0, "delivered": 3, "dead": 0}}}
        },
        **problem_responses(401, 403),
    },
)
async def outbox_state(session: Session, _: OutboxReader) -> OutboxState:
    rows = await session.execute(select(OUTBOX.c.status, func.count()).group_by(OUTBOX.c.status))
    counts = {status: int(n) for status, n in rows}
    return OutboxState(**{k: counts.get(k, 0) for k in ("pending", "delivered", "dead")})


@router.get(
    "/v1/outbox/dead-letters",
    operation_id="listDeadLetters",
    summary="Messages the indicator service refused or that ran out of attempts",
    response_model=Page[DeadLetter],
    responses=problem_responses(401, 403, 422),
)
async def dead_letters(session: Session, _: OutboxReader, page: Pagination) -> Page[DeadLetter]:
    query = dead_letters_query(OUTBOX)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = await session.execute(query.limit(page.page_size).offset(page.offset))
    return page.of([DeadLetter.model_validate(dict(r)) for r in rows.mappings()], total)


@router.post(
    "/v1/outbox/dead-letters/{message_id}/requeue",
    operation_id="requeueDeadLetter",
    summary="Try a dead letter again (after the cause was fixed)",
    status_code=204,
    responses=problem_responses(401, 403, 404, 422),
)
async def requeue_dead_letter(
    message_id: Annotated[int, Path(ge=1, le=2_147_483_647, examples=[1])],
    session: Session,
    _: Admin,
) -> None:
    if not await requeue(session, OUTBOX, message_id):
        raise NotFound(f"No dead letter {message_id}")
    await commit(session)
