"""What is waiting to be delivered to the indicator register, and what could not be."""

from __future__ import annotations

from municipal_shared.kit.pagination import Page, Pagination
from municipal_shared.kit.problems import problem_responses
from municipal_shared.kit.routing import service_router
from procurement_service.api.deps import Admin, IdPath, OutboxReader, Session
from procurement_service.schemas_out import DeadLetter, OutboxState
from procurement_service.use_cases import outbox

router = service_router(tags=["outbox"])


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
    """How many messages to the indicator register are pending, delivered and dead. Never public:
    needs `procurement:read`."""
    return await outbox.state(session)


@router.get(
    "/v1/outbox/dead-letters",
    operation_id="listDeadLetters",
    summary="Messages the indicator service refused or that ran out of attempts",
    response_model=Page[DeadLetter],
    responses=problem_responses(401, 403, 422),
)
async def dead_letters(session: Session, _: OutboxReader, page: Pagination) -> Page[DeadLetter]:
    """Messages the indicator service refused or that ran out of attempts, with the last error.
    Never public: needs `procurement:read`."""
    return await outbox.dead_letters(session, page)


@router.post(
    "/v1/outbox/dead-letters/{message_id}/requeue",
    operation_id="requeueDeadLetter",
    summary="Try a dead letter again (after the cause was fixed)",
    status_code=204,
    responses=problem_responses(401, 403, 404, 422),
)
async def requeue_dead_letter(
    message_id: IdPath,
    session: Session,
    _: Admin,
) -> None:
    """Puts a dead letter back in the queue once its cause is fixed. Needs `procurement:admin`."""
    await outbox.requeue_dead_letter(session, message_id)
