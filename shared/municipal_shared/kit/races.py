"""Identical requests at the same moment: an idempotent write that lost a race on a unique key
is tried again, and the second time it finds what the winner stored (an update or a no-op)
instead of answering 409.

On PostgreSQL two transactions can both look a key up, find nothing and insert it; the second
insert waits for the first to commit and then fails. SQLite's writers queue (BEGIN IMMEDIATE),
so there the second one already finds the row; the retry is for PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
logger = logging.getLogger("municipal_shared.races")


async def retry_lost_race(
    session: AsyncSession, attempt: Callable[[], Awaitable[T]], *, attempts: int = 3
) -> T:
    """Run `attempt` (a whole use case: look up, write, commit); when it loses a race on a
    unique key, roll back and run it again. A conflict that persists is a real one: the last
    IntegrityError propagates (409)."""
    for _ in range(attempts - 1):
        try:
            return await attempt()
        except IntegrityError as exc:
            await session.rollback()
            logger.info("lost a race on a unique key, trying again: %s", exc.orig)
    return await attempt()
