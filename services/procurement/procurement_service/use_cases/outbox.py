"""Use cases of the operator's view of the delivery outbox: what waits, what was refused,
and trying a dead letter again."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.kit.database import commit
from municipal_shared.kit.outbox import requeue
from municipal_shared.kit.pagination import Page, PageParams
from municipal_shared.kit.problems import NotFound
from procurement_service.models import OUTBOX
from procurement_service.repository import outbox as repo
from procurement_service.schemas_out import DeadLetter, OutboxState

STATES = ("pending", "delivered", "dead")


async def state(session: AsyncSession) -> OutboxState:
    counts = await repo.counts_by_status(session)
    return OutboxState(**{s: counts.get(s, 0) for s in STATES})


async def dead_letters(session: AsyncSession, page: PageParams) -> Page[DeadLetter]:
    rows, total = await repo.dead_letters(session, page)
    return page.of([DeadLetter.model_validate(r) for r in rows], total)


async def requeue_dead_letter(session: AsyncSession, message_id: int) -> None:
    if not await requeue(session, OUTBOX, message_id):
        raise NotFound(f"No dead letter {message_id}")
    await commit(session)
