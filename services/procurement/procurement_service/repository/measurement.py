"""The counts the measurement divides, summed from the per-day summary (models.SUMMARY_*,
kept by repository/summary.py): a window of a whole municipality or one administration is a
sum over at most 366 rows a year and administration, whatever the number of procurements.

The counts are the full scan's (repository/measurement_scan.py, the reference the tests hold
this to): a procurement counts on its award day, and on its contract signing day for "set and
signed"; the median comes from how many procurements had each bidder count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Table, and_, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from procurement_service.models import (
    DAY_COUNTS,
    SIZE_CLASS_NAMES,
    SUMMARY_BIDDER_COUNT,
    SUMMARY_DAY,
    SUMMARY_REASON,
    SUMMARY_WARNING,
)
from procurement_service.rules.measurement_counts import (
    CompetitionCounts,
    Counts,
    DirectAwardCounts,
    EmploymentCounts,
    SizeClassCounts,
)


@dataclass(frozen=True)
class Scope:
    municipality_code: str
    administration: str | None
    start: dt.date
    end: dt.date  # inclusive

    def of(self, table: Table) -> list[Any]:
        conditions = [
            table.c.municipality_code == self.municipality_code,
            table.c.day >= self.start,
            table.c.day <= self.end,
        ]
        if self.administration:
            conditions.append(table.c.administration == self.administration)
        return conditions


def _total(column: Any) -> Any:
    return func.coalesce(func.sum(column), 0)


async def _day_totals(session: AsyncSession, scope: Scope) -> dict[str, int]:
    query = select(*(_total(SUMMARY_DAY.c[n]).label(n) for n in DAY_COUNTS))
    row = (await session.execute(query.where(*scope.of(SUMMARY_DAY)))).one()
    return {name: int(value) for name, value in row._mapping.items()}


async def _middle(session: AsyncSession, scope: Scope) -> tuple[int, int]:
    """The sum and number of the one or two middle bidder counts, for the median: the
    histogram's running total says which bidder count holds the middle position(s)."""
    t = SUMMARY_BIDDER_COUNT
    n, many = t.c.bidder_count, _total(t.c.procurements)
    histogram = (
        select(n.label("n"), many.label("c"))
        .where(*scope.of(t))
        .group_by(n)
        .having(many > 0)
        .subquery()
    )
    running = select(
        histogram.c.n,
        cast(histogram.c.c, Integer).label("c"),
        cast(func.sum(histogram.c.c).over(order_by=histogram.c.n), Integer).label("upto"),
        cast(func.sum(histogram.c.c).over(), Integer).label("total"),
    ).subquery()
    low, high = (running.c.total + 1) // 2, (running.c.total + 2) // 2

    def holds(position: Any) -> Any:
        return and_(running.c.upto - running.c.c < position, position <= running.c.upto)

    weight = case((holds(low), 1), else_=0) + case((and_(high != low, holds(high)), 1), else_=0)
    query = select(_total(running.c.n * weight), _total(weight))
    middle_sum, middle_count = (await session.execute(query)).one()
    return int(middle_sum), int(middle_count)


async def _reasons(session: AsyncSession, scope: Scope) -> list[tuple[str | None, int]]:
    t = SUMMARY_REASON
    many = _total(t.c.procurements)
    query = (
        select(t.c.reason, many)
        .where(*scope.of(t))
        .group_by(t.c.reason_key, t.c.reason)
        .having(many > 0)
        .order_by(many.desc(), func.coalesce(t.c.reason, ""))
    )
    return [(reason or None, int(n)) for reason, n in await session.execute(query)]


async def _quality(session: AsyncSession, scope: Scope) -> list[tuple[str, int]]:
    t = SUMMARY_WARNING
    many = _total(t.c.procurements)
    query = select(t.c.code, many).where(*scope.of(t)).group_by(t.c.code).having(many > 0)
    return [(code, int(n)) for code, n in await session.execute(query.order_by(t.c.code))]


async def summed_counts(session: AsyncSession, scope: Scope) -> Counts:
    """Every count of the window, in four queries over the summary."""
    d = await _day_totals(session, scope)
    middle_sum, middle_count = await _middle(session, scope)
    competition = CompetitionCounts(
        procurements=d["procurements"],
        counted=d["counted"],
        bidders=d["bidders"],
        single=d["single"],
        on_reported=d["on_reported"],
        on_listed=d["on_listed"],
        bids=d["bids"],
        middle_sum=middle_sum,
        middle_count=middle_count,
    )
    size_classes = SizeClassCounts(
        bidders={c: d[f"bidders_{c}"] for c in SIZE_CLASS_NAMES},
        winners={c: d[f"winners_{c}"] for c in SIZE_CLASS_NAMES},
        procurements=d["procurements"],
        listed=d["listed"],
        with_known_bidder=d["with_known_bidder"],
        bidders_where_known=d["bidders_where_known"],
        with_known_winner=d["with_known_winner"],
        winners_where_known=d["winners_where_known"],
        won_by_sme=d["won_by_sme"],
    )
    employment = EmploymentCounts(
        procurements=d["procurements"],
        candidates=d["candidates"],
        candidates_decided=d["candidates_decided"],
        eligibles=d["eligibles"],
        eligibles_decided=d["eligibles_decided"],
        set_=d["requirement_set"],
        eligible_set=d["eligible_set"],
        eligible_unset=d["eligible_unset"],
        signed=d["signed_set"],
        signed_procurements=d["signed_procurements"],
        not_set_reasons=await _reasons(session, scope),
    )
    direct = DirectAwardCounts(
        decided=d["direct_decided"],
        above=d["above_threshold"],
        advertised=d["above_advertised"],
        not_in_sek=d["not_in_sek"],
    )
    return Counts(competition, size_classes, employment, direct, await _quality(session, scope))
