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

from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    Table,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, Insert, insert

from procurement_service.models import SUMMARY_REASON, Procurement
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


def _taken(table: Table) -> Select[Any]:
    """Rows given as one array per column (parameters `taken_<column>`; summary.Delta.rows:
    every column, counts negative where taken away) as a SELECT."""
    names = [c.name for c in table.columns]
    arrays = []
    for name in names:
        array = ARRAY(table.c[name].type)
        arrays.append(cast(bindparam(f"taken_{name}", type_=array), array))
    unnested = func.unnest(*arrays).table_valued(*names).render_derived(name="taken")
    return select(*(unnested.c[n] for n in names))


def parameters(table: Table, added: list[int], taken: list[dict[str, Any]]) -> dict[str, Any]:
    """The parameters of `adding(table, rule, bool(added), bool(taken))`."""
    values: dict[str, Any] = {"added_ids": added} if added else {}
    for name in (c.name for c in table.columns) if taken else ():
        values[f"taken_{name}"] = [row[name] for row in taken]
    return values


@lru_cache(maxsize=256)
def adding(table: Table, rule: Rule, added: bool, taken: bool) -> Insert:
    """The statement adding to `table` the counts of the procurements `added_ids` names (if
    `added`) and the rows `taken_*` (if `taken`); `parameters` gives its values. Built once
    per table, rule and shape: building these statements cost more than running them."""
    parts = []
    if added:
        ids = ARRAY(Integer)
        where = Procurement.id == any_(cast(bindparam("added_ids", type_=ids), ids))
        parts += [_padded(table, s) for t, s in statements(where, rule) if t is table]
    if taken:
        parts.append(_taken(table))
    if not parts:
        raise ValueError("nothing to add")
    union = parts[0].union_all(*parts[1:]) if len(parts) > 1 else parts[0]
    counted = union.subquery("added")
    keys = [c.name for c in table.primary_key.columns]
    counts = [c.name for c in table.columns if not c.primary_key and c.name != "reason"]
    texts = ["reason"] if table is SUMMARY_REASON else []
    summed = [func.sum(counted.c[c]) for c in counts]
    grouped = (
        select(
            *(counted.c[k] for k in keys),
            *(func.max(counted.c[t]).label(t) for t in texts),
            *(s.label(c) for s, c in zip(summed, counts, strict=True)),
        )
        .group_by(*(counted.c[k] for k in keys))
        .having(or_(*(s != 0 for s in summed)))
        .order_by(*(counted.c[k] for k in keys))
    )
    statement = insert(table).from_select([*keys, *texts, *counts], grouped)
    return statement.on_conflict_do_update(
        index_elements=keys,
        set_={c: table.c[c] + statement.excluded[c] for c in counts},
    )
