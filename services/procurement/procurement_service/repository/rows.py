"""Many rows in one statement, without the ORM's cost per object: the bulk intake's
procurements, bidders, warnings and audit entries, and the summary's increments.

Why `unnest` on PostgreSQL: one INSERT ... SELECT FROM unnest(arrays) carries any number of
rows as one array per column, one statement and one round trip, encoded by asyncpg in binary;
a multi-row VALUES list is capped at 32767 parameters and is compiled anew for every length,
and executemany pays a round trip per row. SQLite (development, tests) takes executemany:
there is no network between the service and its file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Table, any_, bindparam, cast, insert, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

_PG = postgresql.dialect()  # type: ignore[no-untyped-call]  # untyped upstream; compiles type names only


def table_of(model: Any) -> Table:
    """The Table of a mapped class (typed as a plain FromClause by SQLAlchemy)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def is_postgresql(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


def among(session: AsyncSession, column: Any, values: Sequence[Any]) -> Any:
    """`column IN (values)`. On PostgreSQL as `= ANY(one array parameter)`: the statement is
    the same text for any number of values, so it is compiled and prepared once, not once per
    length with a parameter per value (a thousand references, a thousand ids)."""
    if is_postgresql(session):
        array = ARRAY(column.type)
        return column == any_(cast(bindparam(None, list(values), type_=array), array))
    return column.in_(values)


def _unnest(
    table: Table, names: list[str], rows: list[dict[str, Any]]
) -> tuple[str, dict[str, Any]]:
    """`INSERT INTO table (names) SELECT ... FROM unnest(one array per column)` and its
    parameters. JSON travels as text and is cast per row (asyncpg has no json[] codec)."""
    arrays, selected, params = [], [], {}
    for i, name in enumerate(names):
        column = table.c[name]
        is_json = isinstance(column.type, JSON)
        kind = "TEXT" if is_json else column.type.compile(dialect=_PG)
        arrays.append(f"CAST(:p{i} AS {kind}[])")
        selected.append(f"CAST(u.c{i} AS JSON)" if is_json else f"u.c{i}")
        values = [row[name] for row in rows]
        params[f"p{i}"] = [json.dumps(v) for v in values] if is_json else values
    quoted = ", ".join(f'"{n}"' for n in names)
    aliases = ", ".join(f"c{i}" for i in range(len(names)))
    # Only the Table's own names are spliced in; every value travels as a parameter.
    sql = (
        f'INSERT INTO "{table.name}" ({quoted}) SELECT {", ".join(selected)} '  # noqa: S608
        f"FROM unnest({', '.join(arrays)}) AS u({aliases})"
    )
    return sql, params


async def insert_rows(
    session: AsyncSession, table: Table, rows: list[dict[str, Any]], returning: tuple[str, ...] = ()
) -> list[tuple[Any, ...]]:
    """Insert every row (all with the same keys); the `returning` columns of each inserted row,
    in no promised order (a caller maps them back by a key of its own)."""
    if not rows:
        return []
    names = list(rows[0])
    if is_postgresql(session):
        sql, params = _unnest(table, names, rows)
        if returning:
            sql += " RETURNING " + ", ".join(f'"{n}"' for n in returning)
        result = await session.execute(text(sql), params)
        return [tuple(r) for r in result] if returning else []
    if returning:
        statement = insert(table).returning(
            *(table.c[n] for n in returning), sort_by_parameter_order=True
        )
        return [tuple(r) for r in await session.execute(statement, rows)]
    await session.execute(insert(table), rows)
    return []


async def upsert_adding(
    session: AsyncSession, table: Table, rows: list[dict[str, Any]], counts: list[str]
) -> None:
    """Add each row's counts to the row with its primary key, or insert it: race-safe under
    concurrent writers (the conflicting row is locked and incremented, never overwritten).
    The rows are locked in the order given: callers sort them, so writers never deadlock."""
    if not rows:
        return
    keys = [c.name for c in table.primary_key.columns]
    if is_postgresql(session):
        sql, params = _unnest(table, list(rows[0]), rows)
        increments = ", ".join(f'"{c}" = "{table.name}"."{c}" + excluded."{c}"' for c in counts)
        conflict = ", ".join(f'"{k}"' for k in keys)
        sql += f" ON CONFLICT ({conflict}) DO UPDATE SET {increments}"
        await session.execute(text(sql), params)
        return
    statement = sqlite_insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={c: table.c[c] + statement.excluded[c] for c in counts}
    )
    await session.execute(statement, rows)
