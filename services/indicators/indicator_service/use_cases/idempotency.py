"""Writes under an Idempotency-Key: the first answer is stored with the write, a redelivery
gets it again, other content under the same key is refused (422 naming /items)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service.models import IdempotencyRecord
from indicator_service.repository import outcomes as outcome_queries
from municipal_shared.kit.database import commit
from municipal_shared.kit.problems import InvalidContent

Answer = TypeVar("Answer", bound=BaseModel)


async def write_once(
    session: AsyncSession,
    scope: str,
    key: str | None,
    digest: str,
    write: Callable[[], Awaitable[Answer]],
    answer: type[Answer],
) -> Answer:
    """Run `write` and commit, or answer as the first request under `key` was answered."""
    if key:
        seen = await _replayed(session, scope, key, digest, answer)
        if seen is not None:
            return seen
    result = await write()
    if key:
        session.add(
            IdempotencyRecord(
                scope=scope,
                key=key,
                request_hash=digest,
                response=result.model_dump(mode="json"),
            )
        )
    try:
        await commit(session)
    except IntegrityError:
        # The same key was processed concurrently (a redelivery racing the first attempt):
        # this transaction is void, and the first one's answer is the answer.
        await session.rollback()
        seen = await _replayed(session, scope, key or "", digest, answer)
        if seen is None:
            raise
        return seen
    return result


async def _replayed(
    session: AsyncSession, scope: str, key: str, digest: str, answer: type[Answer]
) -> Answer | None:
    seen = await outcome_queries.get_idempotency(session, scope, key)
    if seen is None:
        return None
    if seen.request_hash != digest:
        raise InvalidContent(
            "This Idempotency-Key was used for different content",
            field="/items",
            idempotency_key=key,
        )
    return answer.model_validate(seen.response)
