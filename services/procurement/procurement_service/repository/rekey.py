"""Queries of the re-keying of sole traders' pseudonyms: the rows that may carry one, read
in batches."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, TypeVar

from sqlalchemy import Text, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from procurement_service.models import Bidder, OcdsRelease

# One of the two tables rekeyed: a batch holds rows of the model asked for.
_Row = TypeVar("_Row", Bidder, OcdsRelease)


async def _batches(
    session: AsyncSession, model: type[_Row], condition: Any, size: int
) -> AsyncIterator[list[_Row]]:
    """The rows in id order, `size` at a time; each batch is written and let go before the
    next is read, so memory stays flat however large the store."""
    last = 0
    while True:
        query = select(model).where(condition, model.id > last).order_by(model.id).limit(size)
        batch = list((await session.execute(query)).scalars())
        if not batch:
            return
        yield batch
        last = batch[-1].id
        await session.flush()
        for row in batch:
            session.expunge(row)


def sole_trader_batches(session: AsyncSession, size: int) -> AsyncIterator[list[Bidder]]:
    return _batches(session, Bidder, Bidder.sole_trader.is_(True), size)


def release_batches_containing(
    session: AsyncSession, marker: str, size: int
) -> AsyncIterator[list[OcdsRelease]]:
    """Releases whose stored body holds `marker` anywhere (a pseudonym's prefix)."""
    return _batches(session, OcdsRelease, cast(OcdsRelease.body, Text).like(f"%{marker}%"), size)
