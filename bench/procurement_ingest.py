"""Benchmark of issue 12's targets 2, 3 and 4 on the procurement service (PostgreSQL).

One run, one report, printed with the commit and the command:

- Ingest (target 3): a generated set of tender outcomes (bench/procurement_generator.py)
  through the API's bulk endpoint (several concurrent clients), then the same rows by plain
  asyncpg `executemany` and by `COPY` into the same tables under other municipality codes
  (bench/procurement_raw.py; checked row by row against the API's rows afterwards), as rates
  and ratios; then OCDS release packages made from the same outcomes through
  POST /v1/procurements/{m}/ocds, beside the native rate.
- Measurement (target 2): for tertials cumulative and alone, a date range, the whole
  municipality and one administration, one answer through HTTP checked figure by figure
  against a hand-written full scan (bench/procurement_scan.py), then N timed requests: p50,
  p95, beside the scan's time. A window whose figures differ gets no time.
- Memory (target 4): the service's resident memory sampled from /proc during all of it.

    .venv/bin/python bench/procurement_ingest.py --count 1000000 \\
        --server postgresql://postgres@127.0.0.1:5432

It creates (and drops first) the database `procurement_bench` on that server and leaves it
behind for inspection. Traffic goes to 127.0.0.1 only; every loop is bounded by --count.
The lines "API bulk ingest", "asyncpg inserts", "ratio raw / API" and "tertial measurement"
keep the format they had before this report grew around them (2026-11-29). Since then the
generated set also holds sole traders and bidders from abroad (about 6 % of the companies;
dates, counts and sizes unchanged), and the raw inserts write every column the API writes,
quality warnings included, so that they can be checked against the API's rows.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from procurement_generator import SIZE_MIX, companies, outcomes
from procurement_http import (
    API_MUNICIPALITY,
    OCDS_MUNICIPALITY,
    load_api,
    load_ocds,
    measure_windows,
    time_tertial,
)
from procurement_process import ROOT, MemorySampler, start_service, stop_service
from procurement_raw import (
    SchemaChanged,
    check_schema,
    load_copy,
    load_executemany,
    verify_same_rows,
)

import procurement_service

__all__ = ["SIZE_MIX", "companies", "outcomes", "reset_database"]  # bench/http_load.py reads them

RAW_MUNICIPALITY, COPY_MUNICIPALITY = "0581", "0582"
BENCH_KEY = "bench-only-personal-data-key-0123456789abcdef"
LINKOPING = {"organisation_numbers": ["212000-0449"], "boards": ["KS"], "default_board": "KS"}


async def reset_database(server: str, name: str) -> str:
    conn = await asyncpg.connect(f"{server}/postgres")
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return f"{server}/{name}"


SERVICE_TREE = Path(procurement_service.__file__).resolve().parents[3]
"""The tree whose service code runs (the repository, or a worktree put first on PYTHONPATH)."""


def _git(*args: str) -> str:
    git = shutil.which("git") or "git"
    done = subprocess.run(
        [git, "-C", str(SERVICE_TREE), *args], capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def header(argv: list[str], server_version: str) -> list[str]:
    dirty = _git("status", "--porcelain", "--", "services/procurement", "shared")
    files = len(dirty.splitlines())
    commit = _git("rev-parse", "--short", "HEAD") + (
        f" + uncommitted changes in {files} files of services/procurement and shared"
        if files
        else ""
    )
    where = "" if SERVICE_TREE == ROOT else f" (service code from {SERVICE_TREE})"
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [
        f"commit {commit}{where}",
        "command: " + " ".join([os.path.relpath(sys.executable, ROOT), *argv]),
        f"run {now}; {os.cpu_count()} cores; PostgreSQL {server_version}",
    ]


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def _mb(kib: int) -> float:
    return kib / 1024


@dataclass
class Results:
    api_seconds: float = 0.0
    raw_seconds: float | None = None
    copy_seconds: float | None = None
    checked: dict[str, int] = field(default_factory=dict)
    unknown_columns: list[str] = field(default_factory=list)
    ocds_count: int = 0
    ocds_seconds: float | None = None
    ocds_retried: list[str] = field(default_factory=list)
    tertial: list[float] = field(default_factory=list)
    answer: dict[str, Any] = field(default_factory=dict)
    table: list[str] = field(default_factory=list)
    p50s: list[float] = field(default_factory=list)
    memory_kib: dict[str, int] = field(default_factory=dict)
    peak_kib: int = 0
    failed: list[str] = field(default_factory=list)


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


async def _raw(args: argparse.Namespace, database_url: str, r: Results) -> None:
    """executemany and COPY of the same rows, then row-by-row equality with the API's."""
    secret, batch = BENCH_KEY.encode(), args.batch * 10
    try:
        conn = await asyncpg.connect(database_url)
        try:
            r.unknown_columns = await check_schema(conn)
        finally:
            await conn.close()
        _progress("asyncpg executemany and COPY ...")
        r.raw_seconds = await load_executemany(
            database_url, args.count, batch, RAW_MUNICIPALITY, secret
        )
        r.copy_seconds = await load_copy(database_url, args.count, batch, COPY_MUNICIPALITY, secret)
        r.checked = await verify_same_rows(database_url, API_MUNICIPALITY, RAW_MUNICIPALITY)
        await verify_same_rows(database_url, API_MUNICIPALITY, COPY_MUNICIPALITY)
    except SchemaChanged as exc:
        r.failed.append(f"raw paths: {exc}")


async def run(args: argparse.Namespace, database_url: str, r: Results) -> None:
    buyers = json.dumps({API_MUNICIPALITY: LINKOPING, OCDS_MUNICIPALITY: LINKOPING})
    env = {"PROCUREMENT_PERSONAL_DATA_KEY": BENCH_KEY, "PROCUREMENT_BUYERS": buyers}
    process, url, sock = start_service(database_url, env)
    memory = MemorySampler(process.pid).start()
    try:
        memory.phase = "API ingest"
        _progress("API bulk ingest ...")
        r.api_seconds = await load_api(url, args.count, args.batch, args.workers)
        memory.phase = "raw ingest (service idle)"
        await _raw(args, database_url, r)
        if r.ocds_count:
            memory.phase = "OCDS ingest"
            _progress(f"OCDS ingest of {r.ocds_count:,} ...")
            r.ocds_seconds, r.ocds_retried = await load_ocds(
                url, r.ocds_count, args.ocds_batch, args.workers
            )
        conn = await asyncpg.connect(database_url)
        await conn.execute("ANALYZE")  # autovacuum may be off on the bench machine
        await conn.close()
        memory.phase = "measurement"
        _progress("measurement ...")
        r.tertial, r.answer = await time_tertial(url)
        if args.requests:
            r.table, r.p50s, all_equal = await measure_windows(
                url, database_url, args.requests, args.window_seconds
            )
            if not all_equal:
                r.failed.append("measurement: an HTTP answer differs from the hand scan (above)")
    finally:
        memory.stop()
        r.peak_kib = memory.peak_kib() if process.poll() is None else 0
        r.memory_kib = dict(memory.max_kib)
        stop_service(process, sock)


def _rate(count: int, seconds: float) -> str:
    return f"{seconds:8.1f} s  {count / seconds:10.0f} procurements/s"


def report(args: argparse.Namespace, r: Results) -> list[str]:
    n, m = args.count, r.answer
    api_rate = n / r.api_seconds
    lines = [
        f"procurements: {n:,} (bidders per procurement, mean "
        f"{m['competition']['bidders_per_procurement_mean']['value']}, single-bid share "
        f"{m['competition']['single_bidder_share']['value']}, SME share of bidders "
        f"{m['size_classes']['sme_share_of_bidders']['value']})",
        "",
        f"ingest ({args.workers} API clients, {args.batch} outcomes per PUT; raw paths "
        f"{args.batch * 10} per statement group; generating the outcomes is in every time)",
        f"API bulk ingest:   {_rate(n, r.api_seconds)}",
    ]
    if r.raw_seconds and r.copy_seconds:
        raw_rate, copy_rate = n / r.raw_seconds, n / r.copy_seconds
        lines += [
            f"asyncpg inserts:   {_rate(n, r.raw_seconds)}",
            f"ratio raw / API:   {raw_rate / api_rate:8.1f}",
            f"asyncpg COPY:      {_rate(n, r.copy_seconds)}",
            f"API / executemany = {api_rate / raw_rate:.2f}, target >= 0.50",
            f"API / COPY = {api_rate / copy_rate:.2f}",
        ]
    if r.checked:
        unknown = ", ".join(r.unknown_columns)
        lines.append(
            "raw rows equal to the API's (executemany and COPY; every column but ids, "
            "municipality, content hash, timestamp): "
            + ", ".join(f"{t} {c:,}" for t, c in r.checked.items())
            + (f"; columns the raw paths leave empty, equal: {unknown}" if unknown else "")
        )
    if r.ocds_seconds:
        lines += [
            f"OCDS ingest:       {_rate(r.ocds_count, r.ocds_seconds)}"
            f" ({r.ocds_count:,} of the outcomes, {args.ocds_batch} releases per package)",
            f"OCDS / native = {(r.ocds_count / r.ocds_seconds) / api_rate:.2f}",
        ]
        if r.ocds_retried:
            lines.append(
                f"  {len(r.ocds_retried)} OCDS packages were answered 503 and sent again "
                "(concurrent packages of one municipality: deadlock or statement timeout)"
            )
    lines.append(
        "tertial measurement over the whole set (2018-T3, HTTP): "
        + ", ".join(f"{t:.2f} s" for t in r.tertial)
    )
    if r.table:
        lines += [
            "",
            f"measurement of {API_MUNICIPALITY} through HTTP: one answer checked against a "
            f"hand-written full scan, then up to {args.requests} timed requests",
            f"  {'window':<28} {'scope':<26} figures  p50 ms    p95 ms    n    scan ms",
            *r.table,
        ]
    if r.p50s:
        lines.append(f"p50 = {max(r.p50s):.1f} ms (slowest window), target < 50 ms")
    phases = ", ".join(f"{k} {_mb(v):.0f} MB" for k, v in r.memory_kib.items())
    top = max([*r.memory_kib.values(), r.peak_kib])
    lines += [
        "",
        f"memory of the service (VmRSS every 0.1 s, max per phase): {phases}",
        f"max RSS = {_mb(top):.0f} MB, target < 300 MB (VmHWM {_mb(r.peak_kib):.0f} MB)",
    ]
    return lines


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000, help="outcomes per bulk PUT")
    parser.add_argument("--workers", type=int, default=2, help="concurrent API clients")
    parser.add_argument(
        "--ocds-count",
        type=int,
        default=None,
        help="outcomes also sent as OCDS (default: --count / 10, at most 10,000; 0: none)",
    )
    parser.add_argument(
        "--ocds-batch",
        type=int,
        default=100,
        help="releases per OCDS package (one transaction each; concurrent packages of a "
        "municipality wait for each other's locks)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=20,
        help="timed requests per measurement window (0: no windows, only the 2018-T3 line)",
    )
    parser.add_argument(
        "--window-seconds",
        type=float,
        default=60.0,
        help="stop timing a window after this long (at least 3 requests)",
    )
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="procurement_bench", help="dropped and created")
    return parser.parse_args()


async def main() -> int:
    args = arguments()
    database_url = await reset_database(args.server, args.database)
    conn = await asyncpg.connect(database_url)
    server_version = await conn.fetchval("SHOW server_version")
    await conn.close()
    lines = header(sys.argv, server_version)
    _progress("\n".join(lines))
    load_before = _load()
    r = Results(ocds_count=args.ocds_count)
    if args.ocds_count is None:
        r.ocds_count = min(args.count // 10, 10_000)
    await run(args, database_url, r)
    lines += report(args, r)
    lines.append(f"load average (1 min): before {load_before}, after {_load()}")
    lines += [f"FAILED {f}" for f in r.failed]
    print("\n".join(lines))
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
