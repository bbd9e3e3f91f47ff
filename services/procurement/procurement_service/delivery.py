"""Delivery of the measured figures to the indicator register.

A write marks the tertials it changes as dirty (same transaction). The publisher measures each
dirty tertial, puts one outbox message with the register's rows into the outbox and clears the
mark, in one transaction; the outbox relay then delivers with retries and an Idempotency-Key.
So the figures reach the register exactly once per state, even when it is down for a while."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from municipal_shared.contracts.indicators import DeliveredOutcome, DeliveredOutcomes
from municipal_shared.kit.outbox import enqueue
from municipal_shared.types import Tertial
from procurement_service.measurement import Figures, Rule, Window, measure
from procurement_service.models import DirtyPeriod

SOURCE = "procurement-service"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class RegisterTarget:
    """Where the figures go: the register of `board_code` and its indicator codes."""

    board_code: str = "KS"
    bidders_per_procurement: str = "antal-anbudsgivare-per-upphandling"
    sme_share: str = "andel-sma-och-medelstora-sme"
    requirement_set_and_signed: str = "upphandlingar-med-sysselsattningskrav"


def affected_tertials(dates: list[dt.date | None]) -> set[tuple[int, Tertial]]:
    """Cumulative figures: a date in T1 changes T1, T2 and T3 of its year."""
    out: set[tuple[int, Tertial]] = set()
    for date in dates:
        if date is None:
            continue
        first = next(t for t in Tertial if date <= t.period_end(date.year))
        out |= {(date.year, t) for t in Tertial if t >= first}
    return out


async def mark_dirty(
    session: AsyncSession, municipality_code: str, dates: list[dt.date | None]
) -> None:
    rows = [
        {
            "municipality_code": municipality_code,
            "year": year,
            "tertial": tertial.value,
            "generation": 1,
        }
        for year, tertial in sorted(affected_tertials(dates))
    ]
    if not rows:
        return
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(DirtyPeriod).values(rows)
    # A mark that exists gets a new generation, so a publisher working on the old one
    # leaves it in place and the change is published again.
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["municipality_code", "year", "tertial"],
            set_={"generation": DirtyPeriod.generation + 1},
        )
    )


def _entry(code: str, period: str, value: Decimal | int | None) -> DeliveredOutcome:
    if value is None:  # no procurement qualifies: no data, never a zero
        return DeliveredOutcome(indicator_code=code, period=period, status="no_data", source=SOURCE)
    return DeliveredOutcome(indicator_code=code, period=period, value=value, source=SOURCE)


def register_items(figures: Figures, period: str, target: RegisterTarget) -> list[DeliveredOutcome]:
    mean = figures.competition.bidders_per_procurement_mean.value
    share = figures.size_classes.sme_share_of_bidders.value
    signed = figures.employment_requirement.set_and_contract_signed.value
    return [
        _entry(target.bidders_per_procurement, period, mean),
        _entry(
            target.sme_share,
            period,
            None if share is None else (share * HUNDRED).quantize(Decimal("0.01")),
        ),
        _entry(target.requirement_set_and_signed, period, signed),
    ]


async def publish_dirty(
    sessions: async_sessionmaker[AsyncSession],
    outbox: Table,
    rule_for: Any,
    target: RegisterTarget,
    limit: int = 100,
) -> int:
    """Turn dirty tertials into outbox messages; returns how many were published."""
    published = 0
    async with sessions() as session:
        marks = list((await session.execute(select(DirtyPeriod).limit(limit))).scalars())
    for mark in marks:
        async with sessions() as session, session.begin():
            tertial = Tertial(mark.tertial)
            window = Window(dt.date(mark.year, 1, 1), tertial.period_end(mark.year))
            rule: Rule = await rule_for(session, mark.municipality_code)
            figures = await measure(session, mark.municipality_code, window, rule)
            period = f"{mark.year}-{tertial}"
            body = DeliveredOutcomes(
                items=register_items(figures, period, target),
                reason=f"Upphandlingsmätning {period} från upphandlingstjänsten",
            ).model_dump(mode="json", exclude_none=True)
            digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:24]
            await enqueue(
                session,
                outbox,
                destination="indicators",
                method="PUT",
                path=f"/v1/registers/{mark.municipality_code}/{target.board_code}/outcomes",
                body=body,
                idempotency_key=f"procurement:{mark.municipality_code}:{period}:{digest}",
            )
            await session.execute(
                delete(DirtyPeriod).where(
                    DirtyPeriod.municipality_code == mark.municipality_code,
                    DirtyPeriod.year == mark.year,
                    DirtyPeriod.tertial == mark.tertial,
                    DirtyPeriod.generation == mark.generation,
                )
            )
            published += 1
    return published
