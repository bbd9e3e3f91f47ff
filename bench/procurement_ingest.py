"""Benchmark: tender outcomes into the procurement service on PostgreSQL.

One run: generate a realistic set (about 5 bids per procurement, about one in five with a
single bid, size mix close to Upphandlingsmyndigheten's: SMEs about 75 % of bids), load it
through the API's bulk endpoint, load the same rows by plain asyncpg inserts into the same
tables (another municipality code), print both rates and their ratio, then time the tertial
measurement over the whole set through the API.

    .venv/bin/python bench/procurement_ingest.py --count 1000000 \\
        --server postgresql://postgres@127.0.0.1:5432

It creates (and drops first) the database `procurement_bench` on that server. Traffic goes
to 127.0.0.1 only; every loop is bounded by --count.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from stdnum import luhn

ROOT = Path(__file__).resolve().parents[1]
API_MUNICIPALITY, RAW_MUNICIPALITY = "0580", "0581"
SIZE_MIX = [("micro", 30), ("small", 25), ("medium", 20), ("large", 20), (None, 5)]
BIDDER_COUNTS = [
    (1, 20),
    (2, 8),
    (3, 10),
    (4, 12),
    (5, 12),
    (6, 10),
    (7, 9),
    (8, 8),
    (9, 6),
    (10, 5),
]
CATEGORIES = ["services", "works", "goods"]


def companies(n: int, rng: random.Random) -> list[tuple[str, str | None]]:
    """Valid legal-person organisation numbers (digits 3-4 >= 20) with a size class."""
    classes = [c for c, w in SIZE_MIX for _ in range(w)]
    out = []
    for i in range(n):
        base = f"55{6000000 + i:07d}"
        number = base + luhn.calc_check_digit(base)
        out.append((f"{number[:6]}-{number[6:]}", rng.choice(classes)))
    return out


def outcomes(count: int, seed: int = 2018) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    pool = companies(20_000, rng)
    sizes = [n for n, w in BIDDER_COUNTS for _ in range(w)]
    start = dt.date(2018, 1, 1)
    for i in range(count):
        award = start + dt.timedelta(days=rng.randrange(365))
        bidders = rng.sample(pool, rng.choice(sizes))
        category = rng.choice(CATEGORIES)
        months = rng.choice([2, 3, 6, 12, 24, 36])
        begin = award + dt.timedelta(days=30)
        end = begin + dt.timedelta(days=30 * months)
        suitable = category != "goods" and rng.random() < 0.6
        yield {
            "reference": f"B-{i:07d}",
            "administration": rng.choice(
                [
                    "Kommunledningsförvaltningen",
                    "Utbildningsförvaltningen",
                    "Miljö- och samhällsbyggnadsförvaltningen",
                ]
            ),
            "board_code": "KS",
            "title": f"Upphandling {i}",
            "category": category,
            "procedure": rng.choice(["open", "open", "open", "selective", "direct_award"]),
            "advertised": True,
            "status": "contract_signed",
            "estimated_value": str(rng.randrange(50_000, 20_000_000)),
            "contract_period": {"start_date": begin.isoformat(), "end_date": end.isoformat()},
            "employees_needed": rng.randrange(1, 20),
            "employment_requirement": {
                "set": suitable and rng.random() < 0.5,
                "judged_suitable": suitable,
                **({} if suitable else {"reason_not_suitable": "Varor"}),
            },
            "bidders": [
                {
                    "organisation_number": number,
                    "name": f"Företag {number}",
                    **({"size_class": size} if size else {}),
                }
                for number, size in bidders
            ],
            "winners": [bidders[0][0]],
            "award_date": award.isoformat(),
            "contract_signed_date": (award + dt.timedelta(days=14)).isoformat(),
        }


async def reset_database(server: str, name: str) -> str:
    conn = await asyncpg.connect(f"{server}/postgres")
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return f"{server}/{name}"


def start_service(database_url: str) -> tuple[subprocess.Popen[bytes], str, socket.socket]:
    env = {
        **os.environ,
        "PROCUREMENT_DATABASE_URL": database_url.replace("postgresql://", "postgresql+asyncpg://"),
        "PROCUREMENT_RELAY_ENABLED": "false",
        "PROCUREMENT_LOG_LEVEL": "WARNING",
    }
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([python, "-m", "procurement_service", "migrate"], env=env, check=True)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    process = subprocess.Popen(
        [
            python,
            "-m",
            "uvicorn",
            "--factory",
            "procurement_service.main:create_app",
            "--fd",
            str(sock.fileno()),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        pass_fds=(sock.fileno(),),
    )
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    for _ in range(100):
        try:
            if httpx.get(f"{url}/readyz").status_code == 200:
                return process, url, sock
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("service did not get ready")


def token() -> str:
    python = str(ROOT / ".venv" / "bin" / "python")
    done = subprocess.run(
        [python, "-m", "municipal_shared.kit.token", "--scope", "procurement:write"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


async def load_api(url: str, count: int, batch: int, workers: int) -> float:
    headers = {"Authorization": f"Bearer {token()}"}
    queue: asyncio.Queue[list[dict[str, Any]] | None] = asyncio.Queue(maxsize=workers * 2)

    async def worker(client: httpx.AsyncClient) -> None:
        while (items := await queue.get()) is not None:
            r = await client.put(
                f"{url}/v1/procurements/{API_MUNICIPALITY}", json={"items": items}, headers=headers
            )
            r.raise_for_status()

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=600) as client:
        tasks = [asyncio.create_task(worker(client)) for _ in range(workers)]
        chunk: list[dict[str, Any]] = []
        for item in outcomes(count):
            chunk.append(item)
            if len(chunk) == batch:
                await queue.put(chunk)
                chunk = []
        if chunk:
            await queue.put(chunk)
        for _ in tasks:
            await queue.put(None)
        await asyncio.gather(*tasks)
    return time.perf_counter() - started


def size_class(given: str | None) -> tuple[str, str]:
    return (given, "given") if given else ("no_data", "none")


async def load_raw(database_url: str, count: int, batch: int) -> float:
    """The same rows, inserted with plain asyncpg executemany: no validation, no audit."""
    conn = await asyncpg.connect(database_url)
    started = time.perf_counter()
    ids = iter(
        await conn.fetchval(
            "SELECT array_agg(nextval('procurement_id_seq')) FROM generate_series(1, $1)", count
        )
    )
    procurement_sql = (
        "INSERT INTO procurement (id, municipality_code, reference, administration, board_code,"
        " title, category, procedure, advertised, estimated_value, contract_start, contract_end,"
        " execution_days, employees_needed, requirement_set, requirement_suitable,"
        " requirement_reason, award_date, contract_signed_date, status, source, content_hash,"
        " row_version, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,"
        "$16,$17,$18,$19,$20,'native','raw',1,now())"
    )
    bidder_sql = (
        "INSERT INTO bidder (procurement_id, position, org_key, sole_trader, name, size_class,"
        " size_provenance, bids, is_winner) VALUES ($1,$2,$3,false,$4,$5,$6,1,$7)"
    )
    rows: list[tuple[Any, ...]] = []
    bidders: list[tuple[Any, ...]] = []
    for item in outcomes(count):
        pid = next(ids)
        period = item["contract_period"]
        start = dt.date.fromisoformat(period["start_date"])
        end = dt.date.fromisoformat(period["end_date"])
        requirement = item["employment_requirement"]
        rows.append(
            (
                pid,
                RAW_MUNICIPALITY,
                item["reference"],
                item["administration"],
                "KS",
                item["title"],
                item["category"],
                item["procedure"],
                True,
                int(item["estimated_value"]),
                start,
                end,
                (end - start).days + 1,
                item["employees_needed"],
                requirement["set"],
                requirement["judged_suitable"],
                requirement.get("reason_not_suitable"),
                dt.date.fromisoformat(item["award_date"]),
                dt.date.fromisoformat(item["contract_signed_date"]),
                item["status"],
            )
        )
        for position, b in enumerate(item["bidders"], start=1):
            cls, provenance = size_class(b.get("size_class"))
            bidders.append(
                (
                    pid,
                    position,
                    b["organisation_number"],
                    b["name"],
                    cls,
                    provenance,
                    b["organisation_number"] in item["winners"],
                )
            )
        if len(rows) >= batch:
            await conn.executemany(procurement_sql, rows)
            await conn.executemany(bidder_sql, bidders)
            rows, bidders = [], []
    if rows:
        await conn.executemany(procurement_sql, rows)
        await conn.executemany(bidder_sql, bidders)
    elapsed = time.perf_counter() - started
    await conn.execute("ANALYZE")
    await conn.close()
    return elapsed


def time_measurement(url: str, municipality: str, repeat: int = 3) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        r = httpx.get(f"{url}/v1/measurements/{municipality}/2018/T3", timeout=600)
        r.raise_for_status()
        times.append(time.perf_counter() - started)
    return times


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    database_url = await reset_database(args.server, "procurement_bench")
    process, url, sock = start_service(database_url)
    try:
        api_seconds = await load_api(url, args.count, args.batch, args.workers)
        raw_seconds = await load_raw(database_url, args.count, args.batch * 10)
        measured = time_measurement(url, API_MUNICIPALITY)
        async with httpx.AsyncClient(timeout=600) as client:
            answer = await client.get(f"{url}/v1/measurements/{API_MUNICIPALITY}/2018/T3")
        m = answer.json()
    finally:
        process.terminate()
        process.wait(timeout=30)
        sock.close()
    api_rate, raw_rate = args.count / api_seconds, args.count / raw_seconds
    print(
        f"procurements: {args.count:,} (bidders per procurement, mean "
        f"{m['competition']['bidders_per_procurement_mean']['value']}, single-bid share "
        f"{m['competition']['single_bidder_share']['value']}, SME share of bidders "
        f"{m['size_classes']['sme_share_of_bidders']['value']})"
    )
    print(f"API bulk ingest:   {api_seconds:8.1f} s  {api_rate:10.0f} procurements/s")
    print(f"asyncpg inserts:   {raw_seconds:8.1f} s  {raw_rate:10.0f} procurements/s")
    print(f"ratio raw / API:   {raw_rate / api_rate:8.1f}")
    print(
        "tertial measurement over the whole set (2018-T3, HTTP): "
        + ", ".join(f"{t:.2f} s" for t in measured)
    )


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
