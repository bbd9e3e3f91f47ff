"""The services as local processes for the cross-service suite: each declared service
(services.toml) on a pre-bound loopback socket, on a temporary SQLite file or, with
SYSTEM_TEST_POSTGRES (a server URL), on a fresh PostgreSQL database."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deploy"))
from declared_services import SERVICES, Service  # the declared services (services.toml)

__all__ = ["SERVICES", "TEST_SETTINGS", "LocalService", "Service", "fresh_database_url"]

# What the cross-service tests set beyond the peer URLs: quick relays and peer timeouts.
TEST_SETTINGS = {
    "procurement": {
        "PROCUREMENT_RELAY_INTERVAL_SECONDS": "0.2",
        "PROCUREMENT_RELAY_TIMEOUT_SECONDS": "1",
    },
    "indicators": {"INDICATORS_PEER_TIMEOUT_SECONDS": "2"},
}


async def _fresh_database(server_url: str, name: str) -> str:
    admin = create_async_engine(server_url.rstrip("/") + "/test", isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return make_url(server_url.rstrip("/") + f"/{name}").render_as_string(hide_password=False)


def fresh_database_url(spec: Service, folder: Path, suffix: str = "system") -> str:
    server = os.environ.get("SYSTEM_TEST_POSTGRES")
    if server:
        return asyncio.run(_fresh_database(server, f"{spec.name}_{suffix}"))
    return f"sqlite+aiosqlite:///{folder / spec.name}_{suffix}.db"


class LocalService:
    def __init__(
        self, spec: Service, folder: Path, database_url: str | None = None, label: str = ""
    ) -> None:
        """`database_url` shares another instance's database (a second worker or pod)."""
        self.spec = spec
        self.database_url = database_url or fresh_database_url(spec, folder)
        self.env = {**os.environ, f"{spec.env_prefix}_DATABASE_URL": self.database_url}
        self.log = (folder / f"{spec.name}{label}.log").open("w")
        self.sock = socket.socket()
        # uvicorn --fd takes the socket for a Unix one and leaves Nagle on; connections inherit
        # TCP_NODELAY from the listener, sparing each response a 40 ms delayed-ACK wait.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.process: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", self.spec.package, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout

    def restart(self) -> None:
        """Start again on the same socket (after stop_process)."""
        self.start()
        self.wait_ready()

    def stop_process(self) -> None:
        """Stop the process but keep the socket: callers' connections wait, as on a host
        whose service is down for a restart."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None

    def start(self) -> None:
        fd = self.sock.fileno()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                self.spec.app,
                "--fd",
                str(fd),
                "--log-level",
                "warning",
            ],
            env=self.env,
            pass_fds=(fd,),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.spec.name} not ready; see {self.log.name}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.sock.close()
        self.log.close()
