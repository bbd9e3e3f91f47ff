"""The procurement service as the ingest benchmark runs it (uvicorn, one worker, a socket on
127.0.0.1 handed over with --fd), and its resident memory sampled from /proc while it works.

Why sampled from outside: issue 12's memory target is the service process's resident set
through ingest and measurement; /proc/<pid>/status has it (VmRSS) and the kernel's own peak
(VmHWM), without instrumenting the service."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def start_service(
    database_url: str, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str, socket.socket]:
    env = {
        **os.environ,
        "PROCUREMENT_DATABASE_URL": database_url.replace("postgresql://", "postgresql+asyncpg://"),
        "PROCUREMENT_RELAY_ENABLED": "false",
        "PROCUREMENT_LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    subprocess.run([PYTHON, "-m", "procurement_service", "migrate"], env=env, check=True)
    sock = socket.socket()
    # uvicorn --fd wraps the socket as AF_UNIX, so asyncio does not set TCP_NODELAY on the
    # connections; Linux copies it from the listening socket. Without it Nagle's algorithm and
    # delayed ACKs add about 40 ms to a response written in two parts (bench/README.md).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    command = [PYTHON, "-m", "uvicorn", "--factory", "procurement_service.main:create_app"]
    command += ["--fd", str(sock.fileno()), "--log-level", "warning", "--no-access-log"]
    process = subprocess.Popen(command, env=env, pass_fds=(sock.fileno(),))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    for _ in range(150):
        if process.poll() is not None:
            raise RuntimeError("the service exited before it got ready")
        try:
            if httpx.get(f"{url}/readyz").status_code == 200:
                return process, url, sock
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError("service did not get ready")


def stop_service(process: subprocess.Popen[bytes], sock: socket.socket) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    sock.close()


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _tree(pid: int) -> list[int]:
    """The process and its descendants (uvicorn with workers forks them)."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            todo += [int(p) for p in task.read_text().split()]
    return pids


class MemorySampler:
    """VmRSS of the service's process tree every `interval` seconds, the maximum per phase."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid, self.interval = pid, interval
        self.phase = "start"
        self.max_kib: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> MemorySampler:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                rss = sum(_status_kib(p, "VmRSS") for p in _tree(self.pid))
            except (FileNotFoundError, ProcessLookupError, ValueError):
                rss = 0  # a process went away between listing and reading
            if rss:
                self.max_kib[self.phase] = max(self.max_kib.get(self.phase, 0), rss)
            self._stop.wait(self.interval)

    def peak_kib(self) -> int:
        """The kernel's high-water mark of resident memory since the process started."""
        return sum(_status_kib(p, "VmHWM") for p in _tree(self.pid))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
