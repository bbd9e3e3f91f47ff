"""Keeping the measurement's per-day summary (models.SUMMARY_*) in step with the outcomes, in
the transaction of every change.

A write counts the procurements it changes before the change (taken away) and after it
(added), with the statements of repository/summary_sql.py, and adds the difference to the
summary in one upsert per table: only the keys whose counts changed, sorted, tables always in
the same order, so concurrent writers lock summary rows in one order and never deadlock; a
change that moves nothing counted (a title) writes no summary row at all.

The counts that depend on the municipality's employment rule are kept under its stored rule:
its inputs (category, execution days, employees, value against the threshold) would multiply
the rows by every distinct execution time and employee count if they were dimensions, and a
rule changes rarely, so setting it rebuilds the municipality's summary instead. A writer
holds the municipality's lock shared for its transaction (on PostgreSQL an advisory lock;
SQLite's writers queue anyway) and reads the rule under it; setting the rule takes it
exclusively, so no write counted under the old rule lands in a summary rebuilt under the new."""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

from sqlalchemy import Table, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from procurement_service.models import SUMMARY_REASON, Procurement
from procurement_service.repository.rows import among, is_postgresql, upsert_adding
from procurement_service.repository.summary_add import adding, parameters
from procurement_service.repository.summary_sql import SUMMARY_TABLES, statements
from procurement_service.rules.measurement import Rule

Key = tuple[Any, ...]


def _int4(text: str) -> int:
    return zlib.crc32(text.encode()) - 2**31


_LOCK_SPACE = _int4("procurement summary")


async def lock_municipality(
    session: AsyncSession, municipality_code: str, *, exclusive: bool = False
) -> None:
    """Taken first in a writing transaction (before any row lock), held to its end."""
    if not is_postgresql(session):
        return  # SQLite: a writing transaction holds the whole database (BEGIN IMMEDIATE)
    lock = func.pg_advisory_xact_lock if exclusive else func.pg_advisory_xact_lock_shared
    await session.execute(select(lock(_LOCK_SPACE, _int4(municipality_code))))


def reason_key(reason: str | None) -> str:
    """'' for no reason given, else the reason's sha256: an empty text and none stay apart."""
    return "" if reason is None else hashlib.sha256(reason.encode()).hexdigest()


def _counts_of(table: Table) -> list[str]:
    return [c.name for c in table.columns if not c.primary_key and c.name != "reason"]


class Delta:
    """What a transaction adds to the summary (negative counts take away), per table and key:
    a list of counts in the table's column order."""

    def __init__(self) -> None:
        self.parts: dict[str, dict[Key, list[int]]] = {t.name: {} for t in SUMMARY_TABLES}
        self.reasons: dict[str, str | None] = {}

    def add(self, table: Table, result: Any, sign: int) -> None:
        """Add a statement's rows (repository/summary_sql.py): its key columns, some counts."""
        names = list(result.keys())
        counts = _counts_of(table)
        slots = [(names.index(c), i) for i, c in enumerate(counts) if c in names]
        is_reason = table is SUMMARY_REASON
        keys = [
            names.index(c.name if c.name != "reason_key" else "reason")
            for c in table.primary_key.columns
        ]
        part = self.parts[table.name]
        for row in result:
            key = tuple(row[k] for k in keys)
            if is_reason:
                reason = key[-1]
                key = (*key[:-1], reason_key(reason))
                self.reasons[key[-1]] = reason
            entry = part.get(key)
            if entry is None:
                entry = part[key] = [0] * len(counts)
            for source, target in slots:
                entry[target] += sign * row[source]

    def rows(self, table: Table) -> list[dict[str, Any]]:
        """The table's changed keys in key order, every count filled in."""
        keys, counts = [c.name for c in table.primary_key.columns], _counts_of(table)
        rows = []
        for key, entry in sorted(self.parts[table.name].items()):
            if not any(entry):
                continue
            row = dict(zip(keys, key, strict=True)) | dict(zip(counts, entry, strict=True))
            if table is SUMMARY_REASON:
                row["reason"] = self.reasons[row["reason_key"]]
            rows.append(row)
        return rows


async def count_into(
    session: AsyncSession, delta: Delta, where: Any, rule: Rule, sign: int = 1
) -> None:
    """Count the procurements `where` selects into the delta (sign -1: as taken away)."""
    for table, statement in statements(where, rule):
        delta.add(table, await session.execute(statement), sign)


async def count_procurements(
    session: AsyncSession, delta: Delta, ids: list[int], rule: Rule, sign: int = 1
) -> None:
    if ids:
        await count_into(session, delta, among(session, Procurement.id, ids), rule, sign)


async def apply(
    session: AsyncSession, delta: Delta, rule: Rule | None = None, added: list[int] | None = None
) -> None:
    """Add the delta, and the procurements `added` as they are now (each once, counted under
    `rule`), to the summary: the tables in one order, each one's keys sorted. On PostgreSQL the
    added ones are counted by the statement that adds them (summary_add.py)."""
    if added and rule is not None and is_postgresql(session):
        for table in SUMMARY_TABLES:
            taken = delta.rows(table)
            statement = adding(table, rule, added=True, taken=bool(taken))
            await session.execute(statement, parameters(table, added, taken))
        return
    if added and rule is not None:
        await count_procurements(session, delta, added, rule)
    for table in SUMMARY_TABLES:
        await upsert_adding(session, table, delta.rows(table), _counts_of(table))


async def rebuild(session: AsyncSession, municipality_code: str, rule: Rule) -> None:
    """The municipality's summary counted anew under `rule` (the caller holds its lock
    exclusively): a statement per part over its procurements, grouped, so the rows that come
    back are the summary's, at most a few per day and administration."""
    for table in SUMMARY_TABLES:
        await session.execute(delete(table).where(table.c.municipality_code == municipality_code))
    delta = Delta()
    await count_into(session, delta, Procurement.municipality_code == municipality_code, rule)
    await apply(session, delta)
