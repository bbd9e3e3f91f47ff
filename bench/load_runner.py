"""Running one load against one URL in a separate process: wrk (with wrk_report.lua for exact
figures) when it is on PATH, else bench/loadgen.py. Used by bench/http_load.py."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable
RESPONSE_TIMEOUT_SECONDS = 30


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: dict[str, int]
    marked: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


@dataclass(frozen=True)
class Load:
    """How one load run is made: the generator, its connections (and wrk threads), seconds."""

    generator: str
    connections: int
    seconds: int
    threads: int = 1


def load_command(load: Load, url: str, marker: str) -> list[str]:
    if load.generator == "wrk":  # the marker reaches wrk_report.lua as WRK_MARKER
        return [
            wrk_path(),
            f"-t{min(load.threads, load.connections)}",
            f"-c{load.connections}",
            f"-d{load.seconds}s",
            f"--timeout={RESPONSE_TIMEOUT_SECONDS}s",
            "--latency",
            "-s",
            str(BENCH / "wrk_report.lua"),
            url,
        ]
    return [
        PYTHON,
        str(BENCH / "loadgen.py"),
        url,
        f"--duration={load.seconds}",
        f"--connections={load.connections}",
        f"--marker={marker}",
    ]


def run_load(load: Load, url: str, marker: str = "") -> Result:
    """One load run in its own process; the figures from the JSON line it prints."""
    done = subprocess.run(
        load_command(load, url, marker),
        env={**os.environ, "WRK_MARKER": marker},
        capture_output=True,
        text=True,
        check=True,
        timeout=load.seconds + RESPONSE_TIMEOUT_SECONDS + 60,
    )
    line = next(x for x in reversed(done.stdout.splitlines()) if x.startswith("{"))
    raw = json.loads(line)
    return Result(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        errors={k: v for k, v in raw["errors"].items() if v},
        marked=raw["marked"],
    )


@dataclass
class Measured:
    loaded: Result
    """Under --connections connections, after the warm-up."""
    alone: Result
    """One connection, one request at a time: the latency without queueing."""


def measure(url: str, args: argparse.Namespace, generator: str, marker: str = "") -> Measured:
    def load(connections: int, seconds: int) -> Result:
        return run_load(Load(generator, connections, seconds, args.threads), url, marker)

    if args.warmup:
        load(args.connections, args.warmup)
    return Measured(loaded=load(args.connections, args.duration), alone=load(1, args.alone))


def wrk_path() -> str:
    return shutil.which("wrk") or "wrk"


def choose_generator(wanted: str) -> str:
    if wanted == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if wanted == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not on PATH (apt-get install wrk), or use --generator python")
    return wanted
