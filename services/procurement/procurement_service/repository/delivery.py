"""Queries of the publisher: dirty tertials, their locks, and what was last published per
tertial and register."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.kit.database import dialect_insert, utc_now
from municipal_shared.kit.outbox import PENDING
from municipal_shared.types import Tertial
from procurement_service.models import DeliveryState, DirtyPeriod


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind else "sqlite"


async def mark_dirty(
    session: AsyncSession, municipality_code: str, tertials: list[tuple[int, Tertial]]
) -> None:
    rows = [
        {
            "municipality_code": municipality_code,
            "year": year,
            "tertial": tertial.value,
            "generation": 1,
        }
        for year, tertial in tertials
    ]
    if not rows:
        return
    statement = dialect_insert(session, DirtyPeriod).values(rows)
    # A mark that exists gets a new generation, so a publisher working on the old one
    # leaves it in place and the change is published again.
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["municipality_code", "year", "tertial"],
            set_={"generation": DirtyPeriod.generation + 1},
        )
    )


def _waiting(outbox: Table, board_code: str) -> Any:
    """The dirty tertial's last message is still pending: the next one waits for it."""
    return exists().where(
        DeliveryState.municipality_code == DirtyPeriod.municipality_code,
        DeliveryState.board_code == board_code,
        DeliveryState.year == DirtyPeriod.year,
        DeliveryState.tertial == DirtyPeriod.tertial,
        outbox.c.idempotency_key == DeliveryState.idempotency_key,
        outbox.c.status == PENDING,
    )


async def due_marks(
    session: AsyncSession, outbox: Table, board_code: str, limit: int
) -> list[tuple[str, int, str]]:
    """Dirty tertials whose last message is not pending, oldest municipality and year first."""
    query = (
        select(DirtyPeriod.municipality_code, DirtyPeriod.year, DirtyPeriod.tertial)
        .where(~_waiting(outbox, board_code))
        .order_by(DirtyPeriod.municipality_code, DirtyPeriod.year, DirtyPeriod.tertial)
        .limit(limit)
    )
    return [(m, int(y), t) for m, y, t in (await session.execute(query)).all()]


def _this(municipality_code: str, year: int, tertial_code: str) -> tuple[Any, ...]:
    return (
        DirtyPeriod.municipality_code == municipality_code,
        DirtyPeriod.year == year,
        DirtyPeriod.tertial == tertial_code,
    )


async def lock_mark(
    session: AsyncSession,
    outbox: Table,
    board_code: str,
    municipality_code: str,
    year: int,
    tertial_code: str,
) -> int | None:
    """The mark's generation, locked; None when it was published meanwhile, is taken by
    another publisher, or waits again."""
    lock = select(DirtyPeriod.generation).where(
        *_this(municipality_code, year, tertial_code), ~_waiting(outbox, board_code)
    )
    if _dialect(session) == "postgresql":
        # One publisher per tertial: another process working on it is skipped, and
        # a writer changing it waits, so the figures measured then are the latest.
        lock = lock.with_for_update(of=DirtyPeriod, skip_locked=True)
    generation = (await session.execute(lock)).scalar_one_or_none()
    return None if generation is None else int(generation)


async def clear_mark(
    session: AsyncSession, municipality_code: str, year: int, tertial_code: str, generation: int
) -> None:
    """Only the generation that was published: a change made meanwhile keeps its mark."""
    await session.execute(
        delete(DirtyPeriod).where(
            *_this(municipality_code, year, tertial_code), DirtyPeriod.generation == generation
        )
    )


async def last_publication(
    session: AsyncSession, municipality_code: str, board_code: str, year: int, tertial_code: str
) -> DeliveryState | None:
    """What was last published for the tertial to the register, if anything."""
    return await session.get(DeliveryState, (municipality_code, board_code, year, tertial_code))


def record_publication(
    session: AsyncSession,
    last: DeliveryState | None,
    key: tuple[str, str, int, str],
    sequence: int,
    digest: str,
    idempotency_key: str,
) -> None:
    """The tertial's publication is now this one (the last one's row is updated)."""
    municipality_code, board_code, year, tertial_code = key
    state = last or DeliveryState(
        municipality_code=municipality_code, board_code=board_code, year=year, tertial=tertial_code
    )
    state.sequence, state.digest, state.idempotency_key = sequence, digest, idempotency_key
    state.published_at = utc_now()
    session.add(state)
