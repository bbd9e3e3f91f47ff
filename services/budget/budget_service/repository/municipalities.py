"""Queries of municipalities and their boards."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from budget_service.models import Board, Municipality


async def get_municipality(session: AsyncSession, code: str) -> Municipality | None:
    return await session.get(Municipality, code)


async def get_board(session: AsyncSession, municipality_code: str, code: str) -> Board | None:
    query = select(Board).where(Board.municipality_code == municipality_code, Board.code == code)
    return (await session.execute(query)).scalar_one_or_none()


def municipalities_query() -> Select[Any]:
    return select(Municipality).order_by(Municipality.code)


def boards_query(municipality_code: str) -> Select[Any]:
    return select(Board).where(Board.municipality_code == municipality_code).order_by(Board.code)
