"""The HTTP side of the procurement benchmark: outcomes into the service through its bulk
endpoint and as OCDS packages, several clients at once, and the measurement windows timed
through HTTP after their figures were checked against the hand-written scan.

Why apart from the report (procurement_ingest.py): these are the loops whose time is
measured; keeping them small and alike (one queue, `workers` clients) keeps the rates of the
native and the OCDS path comparable."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
import statistics
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from itertools import islice
from typing import Any

import asyncpg
import httpx
from procurement_generator import outcomes, release_package
from procurement_process import ROOT
from procurement_scan import Window, differences, normalised, rule_of, scan

API_MUNICIPALITY, OCDS_MUNICIPALITY = "0580", "0583"
ADMINISTRATION = "Utbildningsförvaltningen"
TERTIALS = {"T1": ((1, 1), (4, 30)), "T2": ((5, 1), (8, 31)), "T3": ((9, 1), (12, 31))}
RANGE = (dt.date(2018, 3, 15), dt.date(2018, 10, 14))
Items = list[dict[str, Any]]


def token() -> str:
    python = str(ROOT / ".venv" / "bin" / "python")
    done = subprocess.run(
        [python, "-m", "municipal_shared.kit.token", "--scope", "procurement:write"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


async def _feed(
    batches: Iterator[Items],
    workers: int,
    send: Callable[[httpx.AsyncClient, Items], Awaitable[None]],
) -> float:
    """`workers` clients taking request bodies from a queue; seconds until all answered."""
    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=workers * 2)

    async def worker(client: httpx.AsyncClient) -> None:
        while (body := await queue.get()) is not None:
            await send(client, body)

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=3600) as client:
        tasks = [asyncio.create_task(worker(client)) for _ in range(workers)]
        for body in batches:
            await queue.put(body)
        for _ in tasks:
            await queue.put(None)
        await asyncio.gather(*tasks)
    return time.perf_counter() - started


def _chunks(count: int, batch: int) -> Iterator[Items]:
    items = outcomes(count)
    while chunk := list(islice(items, batch)):
        yield chunk


async def load_api(url: str, count: int, batch: int, workers: int) -> float:
    """The bulk endpoint, `batch` outcomes per PUT, `workers` concurrent clients."""
    headers = {"Authorization": f"Bearer {token()}"}

    async def put(client: httpx.AsyncClient, items: list[dict[str, Any]]) -> None:
        path = f"{url}/v1/procurements/{API_MUNICIPALITY}"
        (await client.put(path, json={"items": items}, headers=headers)).raise_for_status()

    return await _feed(_chunks(count, batch), workers, put)


async def load_ocds(url: str, count: int, batch: int, workers: int) -> tuple[float, list[str]]:
    """The first `count` outcomes as OCDS release packages of `batch` releases. A package
    answered 503 (the service's answer to a deadlock or a statement timeout: nothing stored)
    is sent again after Retry-After, as a publisher would, at most 5 times; the seconds
    include that, and what was retried is returned."""
    headers = {"Authorization": f"Bearer {token()}"}
    retried: list[str] = []

    async def post(client: httpx.AsyncClient, items: list[dict[str, Any]]) -> None:
        path = f"{url}/v1/procurements/{OCDS_MUNICIPALITY}/ocds"
        package = release_package(items)
        for _ in range(6):
            answer = await client.post(path, json=package, headers=headers)
            if answer.status_code != 503 or len(retried) > 100:
                break
            retried.append(answer.json().get("detail", "")[:80])
            await asyncio.sleep(min(float(answer.headers.get("Retry-After", "1")), 5.0))
        if answer.status_code != 200:
            raise RuntimeError(f"OCDS package refused: {answer.status_code} {answer.text[:2000]}")
        if answer.json()["stored"] != len(items):
            raise RuntimeError(f"OCDS package stored {answer.json()['stored']} of {len(items)}")

    return await _feed(_chunks(count, batch), workers, post), retried


def windows(municipality: str, year: int = 2018) -> list[Window]:
    out = []
    for administration in (None, ADMINISTRATION):
        query = f"administration={administration}" if administration else ""
        for tertial, (_, last) in TERTIALS.items():
            path = f"/v1/measurements/{municipality}/{year}/{tertial}"
            end = dt.date(year, *last)
            out.append(
                Window(
                    f"{year}-{tertial}",
                    dt.date(year, 1, 1),
                    end,
                    administration,
                    path + (f"?{query}" if query else ""),
                )
            )
        for tertial, (first, last) in TERTIALS.items():
            path = f"/v1/measurements/{municipality}/{year}/{tertial}?window=true"
            out.append(
                Window(
                    f"{year}-{tertial} (four months)",
                    dt.date(year, *first),
                    dt.date(year, *last),
                    administration,
                    path + (f"&{query}" if query else ""),
                )
            )
        start, end = RANGE
        path = f"/v1/measurements/{municipality}?from={start}&to={end}"
        out.append(
            Window(
                f"{start}/{end}", start, end, administration, path + (f"&{query}" if query else "")
            )
        )
    return out


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


async def measure_windows(
    url: str, database_url: str, requests: int, seconds: float
) -> tuple[list[str], list[float], bool]:
    """Per window: one answer checked against the hand scan, then the timed requests (each
    answer must be byte for byte the checked one). Lines of the table, the p50s, all equal."""
    conn = await asyncpg.connect(database_url)
    lines, p50s, all_equal = [], [], True
    try:
        rule = await rule_of(conn, API_MUNICIPALITY)
        async with httpx.AsyncClient(base_url=url, timeout=3600) as client:
            for w in windows(API_MUNICIPALITY):
                who = w.administration or "whole municipality"
                first = await client.get(w.path)
                first.raise_for_status()
                started = time.perf_counter()
                expected = await scan(conn, API_MUNICIPALITY, w, rule)
                scan_ms = (time.perf_counter() - started) * 1000
                answer = json.loads(first.content, parse_float=Decimal)
                found = differences(normalised(answer), normalised(expected))
                if found:
                    all_equal = False
                    lines.append(f"  {w.label:<28} {who:<26} DIFFERENT (no time):")
                    lines += [f"      {d}" for d in found[:20]]
                    continue
                times: list[float] = []
                window_started = time.perf_counter()
                while len(times) < requests and (
                    len(times) < 3 or time.perf_counter() - window_started < seconds
                ):
                    started = time.perf_counter()
                    again = await client.get(w.path)
                    times.append((time.perf_counter() - started) * 1000)
                    if again.status_code != 200 or again.content != first.content:
                        raise RuntimeError(f"{w.path}: a later answer differs from the checked one")
                p50, p95 = statistics.median(times), _percentile(times, 0.95)
                p50s.append(p50)
                lines.append(
                    f"  {w.label:<28} {who:<26} equal  {p50:9.1f} {p95:9.1f} {len(times):4d}"
                    f" {scan_ms:10.1f}"
                )
    finally:
        await conn.close()
    return lines, p50s, all_equal


async def time_tertial(url: str, repeat: int = 3) -> tuple[list[float], dict[str, Any]]:
    """The line the benchmark always printed: 2018-T3 of the whole set, `repeat` times."""
    measured = []
    async with httpx.AsyncClient(base_url=url, timeout=3600) as client:
        for _ in range(repeat):
            started = time.perf_counter()
            answer = await client.get(f"/v1/measurements/{API_MUNICIPALITY}/2018/T3")
            answer.raise_for_status()
            measured.append(time.perf_counter() - started)
    return measured, answer.json()
