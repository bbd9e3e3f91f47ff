"""Page-number pagination: every list response is a Page, counted in the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    page: int = Field(ge=1, examples=[1])
    page_size: int = Field(ge=1, examples=[50])
    total: int = Field(ge=0, description="Number of items over all pages.", examples=[1])


@dataclass(frozen=True)
class PageParams:
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def of(self, items: list[T], total: int) -> Page[T]:
        """This page of a list whose full length (counted in the database) is `total`."""
        return Page(items=items, page=self.page, page_size=self.page_size, total=total)


async def _page_params(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number")] = 1,
    page_size: Annotated[int, Query(ge=1, le=500, description="Items per page")] = 50,
) -> PageParams:
    return PageParams(page, page_size)


Pagination = Annotated[PageParams, Depends(_page_params)]


async def fetch_page(
    session: AsyncSession, query: Select[Any], page: PageParams
) -> tuple[list[Any], int]:
    """One page of `query` and the total count, both from the database."""
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = (await session.execute(query.limit(page.page_size).offset(page.offset))).scalars()
    return list(rows.unique()), total
