"""Benchmark: the read endpoints under concurrent load, beside the framework's floor.

One run starts the three services on fresh PostgreSQL databases (budget_bench,
indicators_bench, procurement_bench; dropped first), seeds them, posts a few thousand tender
outcomes (the generator of bench/procurement_ingest.py) and a T2 budget follow-up, waits
until the procurement figures are delivered to the register, and then measures requests per
second and p50/p99 latency of

  - the budget document         GET /v1/budgets/0580/KS/2018                    (budget)
  - the register report         GET /v1/registers/0580/KS/reports/2018/T2       (indicators)
  - the composed report         GET /v1/registers/0580/KS/reports/2018/T2/composed
                                (indicators; per request it also reads the budget follow-up
                                and the procurement measurement over HTTP)

each beside a bare FastAPI endpoint (bench/bare_app.py) that returns a precomputed JSON
document of the same byte size, served by the same uvicorn, one worker, same host and flags.
It prints a table with the ratios bare/target and the machine's facts.

    .venv/bin/python bench/http_load.py --server postgresql://postgres@127.0.0.1:5432 \\
        --duration 20 --connections 32

The load comes from `wrk` (with bench/wrk_report.lua for exact figures) when it is on PATH,
else from bench/loadgen.py (Python asyncio, keep-alive); both run in their own process.
Each target is warmed up, then loaded for --duration seconds with --connections
connections; its bare twin right after, the same way. Everything listens on 127.0.0.1 and is
stopped at the end, also after an error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib.util
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from load_runner import Measured, choose_generator, measure, wrk_path
from procurement_ingest import outcomes, reset_database

from municipal_shared.kit.auth import issue_development_token
from municipal_shared.kit.settings import AuthSettings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deploy"))
from declared_services import SERVICES, Service  # the declared services (services.toml)

BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable
MUNICIPALITY, BOARD, YEAR, TERTIAL = "0580", "KS", 2018, "T2"
UNAVAILABLE = '"status":"unavailable"'
"""A composed report whose peer could not be read still answers 200; its body says so."""
RESPONSE_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Target:
    key: str
    title: str
    service: str
    path: str
    marker: str = ""


TARGETS = [
    Target("budget", "budget document", "budget", f"/v1/budgets/{MUNICIPALITY}/{BOARD}/{YEAR}"),
    Target(
        "register",
        "register report",
        "indicators",
        f"/v1/registers/{MUNICIPALITY}/{BOARD}/reports/{YEAR}/{TERTIAL}",
    ),
    Target(
        "composed",
        "composed report",
        "indicators",
        f"/v1/registers/{MUNICIPALITY}/{BOARD}/reports/{YEAR}/{TERTIAL}/composed",
        marker=UNAVAILABLE,
    ),
]


# ---- processes ------------------------------------------------------------------------------


class Stack:
    """The server processes of one run and their listening sockets; close() stops them all."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen[bytes]] = []
        self.sockets: list[socket.socket] = []

    def listen(self) -> tuple[socket.socket, str]:
        """A socket bound to a free port on 127.0.0.1, handed to uvicorn with --fd."""
        sock = socket.socket()
        # uvicorn --fd wraps the socket as AF_UNIX, so asyncio does not set TCP_NODELAY on the
        # connections; Linux copies it from the listening socket. Without it, Nagle's algorithm
        # and delayed ACKs add about 40 ms to a response written in two parts.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(1024)
        self.sockets.append(sock)
        return sock, f"http://127.0.0.1:{sock.getsockname()[1]}"

    def serve(self, factory: str, sock: socket.socket, env: dict[str, str], *extra: str) -> None:
        """uvicorn, one worker, the same flags for every app (services and bare alike)."""
        command = [PYTHON, "-m", "uvicorn", "--factory", factory, "--fd", str(sock.fileno())]
        command += ["--log-level", "warning", "--no-access-log", *extra]
        process = subprocess.Popen(command, env=env, pass_fds=(sock.fileno(),))
        self.processes.append(process)

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        for sock in self.sockets:
            sock.close()


def wait_ready(url: str, stack: Stack, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in stack.processes):
            raise RuntimeError(f"a server exited before {url} got ready")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not get ready in {seconds:.0f} s")


def service_env(service: Service, database_url: str, urls: dict[str, str]) -> dict[str, str]:
    env = {
        **os.environ,
        f"{service.env_prefix}_DATABASE_URL": database_url.replace(
            "postgresql://", "postgresql+asyncpg://"
        ),
        f"{service.env_prefix}_LOG_LEVEL": "WARNING",
        "AUTH_REQUIRE_READ_SCOPE": "false",  # wrk sends no token; reads are public by default
    }
    env.update({service.peer_variable(peer): urls[peer] for peer in service.peers})
    return env


def prepare_database(service: Service, env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "-m", service.package, "migrate"], env=env, check=True, timeout=300)
    if service.seed:
        subprocess.run([PYTHON, "-m", service.package, "seed"], env=env, check=True, timeout=300)


def start_services(stack: Stack, server: str) -> tuple[dict[str, str], dict[str, str]]:
    """Fresh databases, migrated and seeded; the three services serving. URLs of both."""
    databases = {s.name: asyncio.run(reset_database(server, f"{s.name}_bench")) for s in SERVICES}
    sockets = {s.name: stack.listen() for s in SERVICES}
    urls = {name: url for name, (_, url) in sockets.items()}
    for service in SERVICES:
        env = service_env(service, databases[service.name], urls)
        prepare_database(service, env)
        stack.serve(service.app, sockets[service.name][0], env)
    for url in urls.values():
        wait_ready(url, stack)
    return urls, databases


def start_bare(stack: Stack, sizes: dict[str, int]) -> str:
    sock, url = stack.listen()
    env = {**os.environ, "BENCH_BARE_SIZES": ",".join(f"{k}={v}" for k, v in sizes.items())}
    stack.serve("bare_app:create_app", sock, env, "--app-dir", str(BENCH))
    wait_ready(url, stack)
    return url


# ---- data -----------------------------------------------------------------------------------


def bearer(*scopes: str) -> dict[str, str]:
    token = issue_development_token(AuthSettings(), list(scopes), "bench@localhost", 60)
    return {"Authorization": f"Bearer {token}"}


def post_procurements(url: str, count: int, batch: int = 500) -> None:
    """Tender outcomes of 2018 through the bulk endpoint, as bench/procurement_ingest.py does."""
    headers = bearer("procurement:write")
    path = f"/v1/procurements/{MUNICIPALITY}"
    items: list[dict[str, Any]] = []
    with httpx.Client(base_url=url, headers=headers, timeout=300) as client:
        for item in outcomes(count):
            items.append(item)
            if len(items) == batch:
                client.put(path, json={"items": items}).raise_for_status()
                items = []
        if items:
            client.put(path, json={"items": items}).raise_for_status()


def report_follow_up(url: str, seed: int = 2018) -> int:
    """A T2 follow-up for every activity area: outcome to date about 2/3 of the year's
    budget, a full-year forecast within a few per cent of it. Returns the number of areas."""
    rng = random.Random(seed)
    path = f"/v1/budgets/{MUNICIPALITY}/{BOARD}/{YEAR}/follow-up/{TERTIAL}"
    with httpx.Client(base_url=url, timeout=60) as client:
        rows = client.get(path).raise_for_status().json()["rows"]
        entries = [
            {
                "activity_area_code": row["activity_area_code"],
                "outcome_to_date": str(scaled(row["budget"], rng.uniform(0.6, 0.7))),
                "full_year_forecast": str(scaled(row["budget"], rng.uniform(0.96, 1.04))),
            }
            for row in rows
        ]
        body = {"entries": entries, "reason": "Tertialuppföljning T2 (benchmark)"}
        client.put(path, json=body, headers=bearer("budget:write")).raise_for_status()
    return len(entries)


def scaled(thousands: int, factor: float) -> Decimal:
    """A share of an amount in thousand SEK, exact to the krona."""
    return (Decimal(thousands) * Decimal(str(factor))).quantize(Decimal("0.001"))


def wait_delivered(procurement_url: str, seconds: float = 120) -> dict[str, int]:
    """Until the relay has delivered the procurement figures to the register (nothing pending
    on two reads in a row, something delivered)."""
    deadline, settled = time.monotonic() + seconds, 0
    state: dict[str, int] = {}
    while time.monotonic() < deadline and settled < 2:
        # The outbox is never public: it needs procurement:read whatever the read setting.
        answer = httpx.get(
            f"{procurement_url}/v1/outbox", headers=bearer("procurement:read"), timeout=10
        )
        state = answer.raise_for_status().json()
        settled = settled + 1 if state["pending"] == 0 and state["delivered"] > 0 else 0
        time.sleep(1)
    if settled < 2:
        raise RuntimeError(f"procurement figures not delivered in {seconds:.0f} s: {state}")
    return state


async def analyze(databases: dict[str, str]) -> None:
    """Fresh statistics (autovacuum may be off on the bench machine)."""
    for url in databases.values():
        conn = await asyncpg.connect(url)
        try:
            await conn.execute("ANALYZE")
        finally:
            await conn.close()


def probe(urls: dict[str, str]) -> dict[str, int]:
    """One read of every target: it must answer 200; its body size, for the bare twin."""
    sizes = {}
    for target in TARGETS:
        response = httpx.get(urls[target.service] + target.path, timeout=60)
        if response.status_code != 200:
            raise RuntimeError(f"{target.title}: {response.status_code} {response.text[:300]}")
        if target.marker and target.marker in response.text:
            raise RuntimeError(f"{target.title} has an unavailable section: {response.text[:600]}")
        sizes[target.key] = len(response.content)
    return sizes


# ---- report ---------------------------------------------------------------------------------


def machine_facts(server: str, generator: str) -> list[str]:
    pg = asyncio.run(server_version(server))
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    loop = "uvloop" if _installed("uvloop") else "asyncio"
    http = "httptools" if _installed("httptools") else "h11"
    if generator == "wrk":
        done = subprocess.run([wrk_path(), "--version"], capture_output=True, text=True)
        generator = "wrk " + (done.stdout or done.stderr).split()[1]
    else:
        generator = "bench/loadgen.py (Python asyncio)" + (
            "" if shutil.which("wrk") else ", wrk not on PATH"
        )
    return [
        f"machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}",
        f"PostgreSQL: {pg}",
        f"Python {platform.python_version()}, uvicorn {version('uvicorn')} (one worker, loop "
        f"{loop}, http {http}), FastAPI {version('fastapi')}",
        f"load generator: {generator}",
    ]


async def server_version(server: str) -> str:
    conn = await asyncpg.connect(f"{server}/postgres")
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


Pair = tuple[Measured, Measured]
"""A target and its bare twin of the same size."""


def table(sizes: dict[str, int], results: dict[str, Pair]) -> list[str]:
    lines = [
        f"{'':<30}{'------------ under load ------------':>36}{'1 conn':>9}{'bare / target':>26}",
        f"{'target':<22}{'bytes':>8}{'rps':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"{'p50 ms':>9}{'rps ratio':>13}{'p50 ratio':>13}",
    ]
    for target in TARGETS:
        if target.key not in results:
            continue
        own, bare = (m.loaded for m in results[target.key])
        rps_ratio = bare.rps / own.rps if own.rps else float("inf")
        p50_ratio = own.p50_ms / bare.p50_ms if bare.p50_ms else float("inf")
        size = sizes[target.key]
        title = target.title + (" *" if target.marker else "")
        lines.append(
            row(title, size, results[target.key][0]) + f"{rps_ratio:>12.1f}x{p50_ratio:>12.1f}x"
        )
        lines.append(row("  bare, same size", size, results[target.key][1]))
    lines.append(
        "rps ratio = bare rps / target rps; p50 ratio = target p50 / bare p50 (under load)."
    )
    lines.append("* each request also reads the budget follow-up and the procurement measurement")
    return lines


def row(title: str, size: int, m: Measured) -> str:
    r = m.loaded
    return (
        f"{title:<22}{size:>8}{r.rps:>10.1f}{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}"
        f"{r.error_count + m.alone.error_count:>8}{m.alone.p50_ms:>9.2f}"
    )


def problems(results: dict[str, Pair]) -> list[str]:
    out = []
    for target in TARGETS:
        for label, measured in zip(("", " (bare)"), results.get(target.key, ()), strict=False):
            for r in (measured.loaded, measured.alone):
                if r.errors:
                    out.append(f"{target.title}{label}: {r.error_count} errors {r.errors}")
                if r.marked:
                    out.append(
                        f"{target.title}{label}: {r.marked} of {r.requests} responses had a "
                        "section unavailable (a peer timed out or failed)"
                    )
    return out


# ---- main -----------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per target")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per target")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--alone", type=int, default=3, help="seconds on one connection per target")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (2 cores here)")
    parser.add_argument("--procurements", type=int, default=3000, help="tender outcomes posted")
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    return parser.parse_args()


def stop_on_sigterm() -> None:
    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def main() -> int:
    args = parse_args()
    stop_on_sigterm()
    generator = choose_generator(args.generator)
    facts = machine_facts(args.server, generator)
    load_before = os.getloadavg()
    stack = Stack()
    try:
        print("starting the services on PostgreSQL ...", flush=True)
        urls, databases = start_services(stack, args.server)
        post_procurements(urls["procurement"], args.procurements)
        areas = report_follow_up(urls["budget"])
        outbox = wait_delivered(urls["procurement"])
        asyncio.run(analyze(databases))
        sizes = probe(urls)
        bare_url = start_bare(stack, sizes)
        print(
            f"data: {args.procurements} tender outcomes of {YEAR}, a {TERTIAL} follow-up of "
            f"{areas} activity areas, {outbox['delivered']} deliveries to the register",
            flush=True,
        )
        results: dict[str, Pair] = {}
        for target in TARGETS:
            print(f"loading {target.title} and its bare twin ...", flush=True)
            own = measure(urls[target.service] + target.path, args, generator, target.marker)
            bare = measure(f"{bare_url}/static/{target.key}", args, generator)
            results[target.key] = (own, bare)
    finally:
        stack.close()
    load_after = os.getloadavg()
    print()
    print(
        f"{dt.date.today()}: {args.duration} s per target after {args.warmup} s warm-up, "
        f"{args.connections} connections, all on 127.0.0.1"
    )
    print(*facts, sep="\n")
    print(f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print()
    print(*table(sizes, results), sep="\n")
    issues = problems(results)
    print()
    if issues:
        print("THE RUN HAD ERRORS:", *issues, sep="\n")
    else:
        print("no errors: every request answered, no HTTP error status, no section unavailable")
    return 1 if issues else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; every process this run started is stopped", file=sys.stderr)
        sys.exit(130)
