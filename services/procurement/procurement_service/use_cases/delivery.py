"""Publishing dirty tertials into the outbox (the worker runs it; rules/delivery.py says why
a sequence, why in order, and what the key is made of). Each tertial is one transaction with
one commit: lock its mark, measure, compare with the last publication, enqueue if changed,
clear the mark."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from municipal_shared.kit.database import commit
from municipal_shared.kit.outbox import enqueue
from municipal_shared.types import Tertial
from procurement_service.repository import delivery as repo
from procurement_service.rules.delivery import (
    RegisterTarget,
    body_digest,
    idempotency_key,
    next_sequence,
    register_body,
    register_path,
)
from procurement_service.rules.measurement import Rule, Window
from procurement_service.use_cases.measurement import measure

RuleFor = Callable[[AsyncSession, str], Awaitable[Rule]]


async def publish_dirty(
    sessions: async_sessionmaker[AsyncSession],
    outbox: Table,
    rule_for: RuleFor,
    target: RegisterTarget,
    limit: int = 100,
) -> int:
    """Turn dirty tertials into outbox messages; returns how many marks were cleared (each
    published, or found unchanged since its last publication)."""
    async with sessions() as session:
        marks = await repo.due_marks(session, outbox, target.board_code, limit)
    cleared = 0
    for municipality_code, year, tertial_code in marks:
        async with sessions() as session:
            cleared += await _publish_one(
                session, outbox, rule_for, target, municipality_code, year, tertial_code
            )
    return cleared


async def _publish_one(
    session: AsyncSession,
    outbox: Table,
    rule_for: RuleFor,
    target: RegisterTarget,
    municipality_code: str,
    year: int,
    tertial_code: str,
) -> int:
    """1 when the mark was cleared, 0 when it was published meanwhile, taken or waits again."""
    board = target.board_code
    generation = await repo.lock_mark(session, outbox, board, municipality_code, year, tertial_code)
    if generation is None:
        return 0  # nothing written: the session's close ends the transaction
    tertial = Tertial(tertial_code)
    window = Window(dt.date(year, 1, 1), tertial.period_end(year))
    rule = await rule_for(session, municipality_code)
    figures = await measure(session, municipality_code, window, rule)
    period = f"{year}-{tertial}"
    body = register_body(figures, period)
    digest = body_digest(body)
    last = await repo.last_publication(session, municipality_code, board, year, tertial_code)
    sequence = next_sequence(last.sequence if last else None, last.digest if last else None, digest)
    if sequence is not None:
        key = idempotency_key(municipality_code, board, period, sequence, digest)
        repo.record_publication(
            session, last, (municipality_code, board, year, tertial_code), sequence, digest, key
        )
        await enqueue(
            session,
            outbox,
            destination="indicators",
            method="PUT",
            path=register_path(municipality_code, board),
            body=body,
            idempotency_key=key,
        )
    await repo.clear_mark(session, municipality_code, year, tertial_code, generation)
    await commit(session)
    return 1
