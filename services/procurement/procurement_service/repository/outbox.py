"""Queries of the delivery outbox for its operator views."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.kit.outbox import dead_letters_query
from municipal_shared.kit.pagination import PageParams
from procurement_service.models import OUTBOX


async def counts_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(OUTBOX.c.status, func.count()).group_by(OUTBOX.c.status))
    return {status: int(n) for status, n in rows}


async def dead_letters(session: AsyncSession, page: PageParams) -> tuple[list[dict[str, Any]], int]:
    """One page of dead letters, oldest first, and how many there are."""
    query = dead_letters_query(OUTBOX)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = await session.execute(query.limit(page.page_size).offset(page.offset))
    return [dict(r) for r in rows.mappings()], int(total)
