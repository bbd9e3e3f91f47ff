"""A small closed-loop HTTP/1.1 load generator, the fallback of bench/http_load.py when `wrk`
is not installed. Runs in its own process:

    .venv/bin/python bench/loadgen.py http://127.0.0.1:8001/v1/budgets/0580/KS/2018 \\
        --duration 10 --connections 32

Each connection is kept alive and sends the next GET as soon as the previous answer is read.
Every latency is recorded, so p50 and p99 are exact; the result is one JSON line with the
same keys as bench/wrk_report.lua prints. A response that is not 200 counts as a status error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

TIMEOUT = 30.0
"""Seconds one response may take (as wrk's --timeout in bench/http_load.py); the connection is
then given up and counted as a timeout."""


@dataclass
class Tally:
    latencies_ns: list[int] = field(default_factory=list)
    bytes: int = 0
    marked: int = 0
    errors: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("connect", "read", "write", "status", "timeout"), 0)
    )


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, int]:
    """Status, body and bytes read of one response (Content-Length framed, as uvicorn sends)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
    length = {k.strip().lower(): v.strip() for k, v in headers.items()}.get("content-length")
    if length is None:
        raise ValueError("response without Content-Length")
    body = await reader.readexactly(int(length))
    return status, body, len(head) + len(body)


async def connection(
    host: str, port: int, request: bytes, deadline: float, marker: bytes | None, tally: Tally
) -> None:
    """One keep-alive connection sending requests back to back until the deadline."""
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        tally.errors["connect"] += 1
        return
    # a timed-out response ends its connection, so every loop here ends by deadline + TIMEOUT
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter_ns()
            writer.write(request)
            await writer.drain()
            status, body, size = await asyncio.wait_for(read_response(reader), TIMEOUT)
            tally.latencies_ns.append(time.perf_counter_ns() - started)
            tally.bytes += size
            if status != 200:
                tally.errors["status"] += 1
            if marker and marker in body:
                tally.marked += 1
    except TimeoutError:
        tally.errors["timeout"] += 1
    except (OSError, asyncio.IncompleteReadError, ValueError):
        tally.errors["read"] += 1
    finally:
        writer.close()


def percentile(sorted_values: list[int], p: float) -> int:
    """Nearest-rank percentile of sorted values (0 when there are none)."""
    if not sorted_values:
        return 0
    rank = max(1, -(-len(sorted_values) * p // 100))  # ceil(n * p / 100)
    return sorted_values[int(rank) - 1]


async def run(url: str, duration: float, connections: int, marker: bytes | None) -> dict:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    tally = Tally()
    started = time.perf_counter()
    deadline = started + duration
    await asyncio.gather(
        *(connection(host, port, request, deadline, marker, tally) for _ in range(connections))
    )
    elapsed = time.perf_counter() - started
    latencies = sorted(tally.latencies_ns)
    return {
        "requests": len(latencies),
        "duration_us": int(elapsed * 1e6),
        "bytes": tally.bytes,
        "p50_us": percentile(latencies, 50) // 1000,
        "p99_us": percentile(latencies, 99) // 1000,
        "max_us": (latencies[-1] if latencies else 0) // 1000,
        "errors": tally.errors,
        "marked": tally.marked,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("url")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--marker", default="", help="count responses whose body contains this")
    args = parser.parse_args()
    marker = args.marker.encode() or None
    result = asyncio.run(run(args.url, args.duration, args.connections, marker))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
