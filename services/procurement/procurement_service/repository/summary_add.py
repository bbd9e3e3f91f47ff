"""On PostgreSQL, what a write adds to the per-day summary is counted by the statement that
adds it: one `INSERT ... SELECT ... ON CONFLICT DO UPDATE` per summary table.

Why: counting the written procurements with the grouped SELECTs of summary_sql.py, bringing
the rows back to Python, adding them up there and sending them back as one upsert per table
cost a bulk request more than inserting its bidders. Here the same SELECTs (so the summary is
still counted the one way, like the scan) are the source of the INSERT, and what the write
takes away (the changed procurements as they were, counted before the change, in Python)
rides along as arrays (`unnest`), summed with them per key. So each table's rows are still
locked by one statement, in key order, and a key whose counts do not move is not written."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Select, Table, case, cast, func, literal_column, or_, select
from sqlalchemy.dialects.postgresql import ARRAY, Insert, insert

from procurement_service.models import SUMMARY_REASON
from procurement_service.repository.summary_sql import statements
from procurement_service.rules.measurement import Rule


def _reason_key(reason: Any) -> Any:
    """repository/summary.reason_key in SQL: '' for none, else the reason's sha256 in hex."""
    digest = func.encode(func.sha256(func.convert_to(reason, "UTF8")), "hex")
    return case((reason.is_(None), ""), else_=digest)


def _padded(table: Table, part: Select[Any]) -> Select[Any]:
    """A statement of summary_sql.py with every column of the table, in the table's order:
    a count the part does not have is 0, the reason gets its key."""
    counted = part.subquery()
    columns: list[Any] = []
    for name in (c.name for c in table.columns):
        if name == "reason_key":
            columns.append(_reason_key(counted.c.reason).label(name))
        elif name in counted.c:
            columns.append(counted.c[name])
        else:
            columns.append(literal_column("0", Integer).label(name))
    return select(*columns)


def _taken(table: Table, rows: list[dict[str, Any]]) -> Select[Any]:
    """The rows given (summary.Delta.rows: every column, counts negative where taken away)
    as a SELECT from one array per column."""
    names = [c.name for c in table.columns]
    arrays = []
    for name in names:
        array = ARRAY(table.c[name].type)
        arrays.append(cast([row[name] for row in rows], array))
    unnested = func.unnest(*arrays).table_valued(*names).render_derived(name="taken")
    return select(*(unnested.c[n] for n in names))


def adding(table: Table, where: Any, rule: Rule, taken: list[dict[str, Any]]) -> Insert | None:
    """The statement adding to `table` the counts of the procurements `where` selects (None:
    none) and the rows `taken` (summary.Delta.rows); None when there is nothing to add."""
    parts = (
        [_padded(table, s) for t, s in statements(where, rule) if t is table]
        if where is not None
        else []
    )
    if taken:
        parts.append(_taken(table, taken))
    if not parts:
        return None
    union = (
        parts[0].union_all(*parts[1:]).subquery("added")
        if len(parts) > 1
        else parts[0].subquery("added")
    )
    keys = [c.name for c in table.primary_key.columns]
    counts = [c.name for c in table.columns if not c.primary_key and c.name != "reason"]
    texts = ["reason"] if table is SUMMARY_REASON else []
    summed = [func.sum(union.c[c]) for c in counts]
    grouped = (
        select(
            *(union.c[k] for k in keys),
            *(func.max(union.c[t]).label(t) for t in texts),
            *(s.label(c) for s, c in zip(summed, counts, strict=True)),
        )
        .group_by(*(union.c[k] for k in keys))
        .having(or_(*(s != 0 for s in summed)))
        .order_by(*(union.c[k] for k in keys))
    )
    statement = insert(table).from_select([*keys, *texts, *counts], grouped)
    return statement.on_conflict_do_update(
        index_elements=keys,
        set_={c: table.c[c] + statement.excluded[c] for c in counts},
    )
