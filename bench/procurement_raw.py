"""The anchors of the ingest benchmark: the same outcomes written straight into the service's
tables with asyncpg, once by `executemany` and once by `COPY` (copy_records_to_table), each
under its own municipality code. No validation, no audit, no delivery marks: what the
database costs for the rows alone.

Why the checks: the raw paths write columns by name, from a reading of the service's models
and intake rules (rules/outcome_intake.py `rows_of`). If the schema changes under them they
must fail, not write rows the service would not have written. So, before writing: every
column written must exist, and a column we do not know must be nullable or have a default;
after writing: every row (procurement, bidder, quality warning) must equal, column by column
(all columns but ids, the municipality, the content hash and the timestamp), the row the API
wrote for the same outcome. A difference stops the run naming table and column counts."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from typing import Any

import asyncpg
from procurement_generator import outcomes
from stdnum.se import personnummer

from procurement_service.rules.personal_data import pseudonym

PROCUREMENT_COLUMNS = (
    "id",
    "municipality_code",
    "reference",
    "administration",
    "board_code",
    "title",
    "category",
    "procedure",
    "advertised",
    "estimated_value",
    "estimated_value_currency",
    "awarded_value",
    "awarded_value_currency",
    "contract_start",
    "contract_end",
    "execution_days",
    "employees_needed",
    "requirement_set",
    "requirement_suitable",
    "requirement_reason",
    "number_of_bidders_reported",
    "bidder_count",
    "bidder_count_provenance",
    "award_date",
    "contract_signed_date",
    "status",
    "source",
    "content_hash",
    "row_version",
    "updated_at",
)
BIDDER_COLUMNS = (
    "procurement_id",
    "position",
    "scheme",
    "org_key",
    "sole_trader",
    "name",
    "size_class",
    "size_provenance",
    "headcount",
    "turnover_eur",
    "balance_sheet_total_eur",
    "reference_year",
    "bids",
    "is_winner",
)
WARNING_COLUMNS = ("procurement_id", "code", "message")
TABLES = {
    "procurement": PROCUREMENT_COLUMNS,
    "bidder": ("id", *BIDDER_COLUMNS),
    "quality_warning": ("id", *WARNING_COLUMNS),
}
# Not compared with the API's rows: generated per row, or not computed by the raw path
# (the content hash is a fingerprint over pydantic-dumped JSON; only change detection reads it).
NOT_COMPARED = {"id", "procurement_id", "municipality_code", "content_hash", "updated_at"}


class SchemaChanged(RuntimeError):
    """The tables are not what the raw paths were written for."""


async def check_schema(conn: asyncpg.Connection) -> list[str]:
    """Raise when a written column is gone or an unknown column must be written; return the
    unknown columns that may stay empty (the comparison with the API's rows decides)."""
    problems, unknown = [], []
    for table, written in TABLES.items():
        rows = await conn.fetch(
            "SELECT column_name, is_nullable, column_default FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = $1",
            table,
        )
        present = {r["column_name"]: r for r in rows}
        problems += [f"{table}.{c} is gone" for c in written if c not in present]
        for name, row in present.items():
            if name in written:
                continue
            if row["is_nullable"] == "NO" and row["column_default"] is None:
                problems.append(f"{table}.{name} is new, NOT NULL and without default")
            else:
                unknown.append(f"{table}.{name}")
    if problems:
        raise SchemaChanged("the raw paths do not match the schema: " + "; ".join(problems))
    return unknown


@cache
def _personal(number: str) -> bool:
    """A personal identity number: a sole trader's, pseudonymised as the service does."""
    return bool(personnummer.is_valid(number))


@cache
def _pseudonym(number: str, secret: bytes) -> str:
    return pseudonym(number, secret)


def _bidder_row(
    pid: int, position: int, bidder: dict[str, Any], winners: list[str], secret: bytes
) -> tuple[Any, ...]:
    scheme = bidder.get("scheme", "SE-BLV")
    number = bidder["organisation_number"]
    sole_trader = scheme == "SE-BLV" and _personal(number)
    if scheme != "SE-BLV":
        key, written = f"{scheme}:{number}", f"{scheme}:{number}"
    else:
        key = _pseudonym(number, secret) if sole_trader else number
        written = number
    size = bidder.get("size_class")
    return (
        pid,
        position,
        scheme,
        key,
        sole_trader,
        None if sole_trader else bidder["name"],
        size or "no_data",
        "given" if size else "none",
        None,
        None,
        None,
        None,
        1,
        written in winners,
    )


def rows_of(
    item: dict[str, Any], pid: int, municipality: str, now: dt.datetime, secret: bytes
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The rows the API writes for a generated outcome (its bidders listed, values in SEK)."""
    period = item["contract_period"]
    start = dt.date.fromisoformat(period["start_date"])
    end = dt.date.fromisoformat(period["end_date"])
    requirement = item["employment_requirement"]
    listed = len(item["bidders"])
    procurement = (
        pid,
        municipality,
        item["reference"],
        item["administration"],
        item["board_code"],
        item["title"],
        item["category"],
        item["procedure"],
        item["advertised"],
        Decimal(item["estimated_value"]),
        "SEK",
        None,
        None,
        start,
        end,
        (end - start).days + 1,
        item["employees_needed"],
        requirement["set"],
        requirement["judged_suitable"],
        requirement.get("reason_not_suitable"),
        None,
        listed,
        "listed",
        dt.date.fromisoformat(item["award_date"]),
        dt.date.fromisoformat(item["contract_signed_date"]),
        item["status"],
        "native",
        "raw",
        1,
        now,
    )
    bidders = [
        _bidder_row(pid, n, b, item["winners"], secret) for n, b in enumerate(item["bidders"], 1)
    ]
    warnings = []
    if item["procedure"] == "direct_award" and listed > 1:
        message = f"a direct award with {listed} bidders"
        warnings.append((pid, "direct_award_with_several_bidders", message))
    return procurement, bidders, warnings


def _insert(table: str, columns: tuple[str, ...]) -> str:
    values = ",".join(f"${n}" for n in range(1, len(columns) + 1))
    return f"INSERT INTO {table} ({','.join(columns)}) VALUES ({values})"


Batch = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]


async def _new_ids(conn: asyncpg.Connection, count: int) -> Iterator[int]:
    ids: list[int] = await conn.fetchval(
        "SELECT array_agg(nextval('procurement_id_seq')) FROM generate_series(1, $1)", count
    )
    return iter(ids)


def _batches(
    ids: Iterator[int], count: int, batch: int, municipality: str, secret: bytes
) -> Iterator[Batch]:
    """The rows of `count` generated outcomes, `batch` procurements at a time."""
    now = dt.datetime.now(dt.UTC)
    rows: Batch = ([], [], [])
    for item in outcomes(count):
        procurement, bidders, warnings = rows_of(item, next(ids), municipality, now, secret)
        rows[0].append(procurement)
        rows[1].extend(bidders)
        rows[2].extend(warnings)
        if len(rows[0]) >= batch:
            yield rows
            rows = ([], [], [])
    if rows[0]:
        yield rows


async def load_executemany(
    database_url: str, count: int, batch: int, municipality: str, secret: bytes
) -> float:
    """Generation, conversion and `executemany` per table, `batch` procurements at a time."""
    conn = await asyncpg.connect(database_url)
    try:
        started = time.perf_counter()
        ids = await _new_ids(conn, count)
        for procurements, bidders, warnings in _batches(ids, count, batch, municipality, secret):
            await conn.executemany(_insert("procurement", PROCUREMENT_COLUMNS), procurements)
            await conn.executemany(_insert("bidder", BIDDER_COLUMNS), bidders)
            await conn.executemany(_insert("quality_warning", WARNING_COLUMNS), warnings)
        return time.perf_counter() - started
    finally:
        await conn.close()


async def load_copy(
    database_url: str, count: int, batch: int, municipality: str, secret: bytes
) -> float:
    """The same rows by COPY (binary), `batch` procurements per copy."""
    conn = await asyncpg.connect(database_url)
    try:
        started = time.perf_counter()
        ids = await _new_ids(conn, count)
        for procurements, bidders, warnings in _batches(ids, count, batch, municipality, secret):
            await conn.copy_records_to_table(
                "procurement", records=procurements, columns=PROCUREMENT_COLUMNS
            )
            await conn.copy_records_to_table("bidder", records=bidders, columns=BIDDER_COLUMNS)
            await conn.copy_records_to_table(
                "quality_warning", records=warnings, columns=WARNING_COLUMNS
            )
        return time.perf_counter() - started
    finally:
        await conn.close()


async def _columns(conn: asyncpg.Connection, table: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        table,
    )
    return [r["column_name"] for r in rows if r["column_name"] not in NOT_COMPARED]


async def verify_same_rows(database_url: str, api: str, raw: str) -> dict[str, int]:
    """Every row of `raw` equals the API's row of the same outcome, and the other way round:
    all columns (also ones this script does not know) but NOT_COMPARED. Rows per table."""
    conn = await asyncpg.connect(database_url)
    try:
        counted, differences = {}, []
        for table in ("procurement", "bidder", "quality_warning"):
            columns = ", ".join(f"t.{c}" for c in await _columns(conn, table))
            if table == "procurement":
                rows = f"SELECT {columns} FROM procurement t WHERE t.municipality_code = "
            else:
                rows = (
                    f"SELECT p.reference, {columns} FROM {table} t"
                    " JOIN procurement p ON p.id = t.procurement_id WHERE p.municipality_code = "
                )
            a, b = f"{rows}$1", f"{rows}$2"
            differ = await conn.fetchval(
                f"SELECT count(*) FROM (({a} EXCEPT ALL {b}) UNION ALL ({b} EXCEPT ALL {a})) d",
                api,
                raw,
            )
            counted[table] = await conn.fetchval(f"SELECT count(*) FROM ({rows}$1) r", raw)
            if differ:
                differences.append(f"{table}: {differ} rows differ")
        if differences:
            raise SchemaChanged(
                f"rows written raw under {raw} differ from the API's under {api}: "
                + "; ".join(differences)
            )
        return counted
    finally:
        await conn.close()
