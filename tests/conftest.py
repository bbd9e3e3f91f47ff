"""The cross-service suite speaks HTTP only. With <ENV_PREFIX>_URL set for every service declared
in services.toml (BUDGET_URL, ...) it runs against that stack (docker-compose); otherwise it
starts the services as local processes on pre-bound sockets, on temporary SQLite files or, with
SYSTEM_TEST_POSTGRES (a server URL), on fresh PostgreSQL databases."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deploy"))
from declared_services import SERVICES, Service  # the declared services (services.toml)

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


def _database_url(spec: Service, folder: Path) -> str:
    server = os.environ.get("SYSTEM_TEST_POSTGRES")
    if server:
        return asyncio.run(_fresh_database(server, f"{spec.name}_system"))
    return f"sqlite+aiosqlite:///{folder / spec.name}.db"


class LocalService:
    def __init__(self, spec: Service, folder: Path) -> None:
        self.spec = spec
        self.env = {**os.environ, f"{spec.env_prefix}_DATABASE_URL": _database_url(spec, folder)}
        self.log = (folder / f"{spec.name}.log").open("w")
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


@pytest.fixture(scope="session")
def local_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LocalService]]:
    folder = tmp_path_factory.mktemp("system")
    services = {spec.name: LocalService(spec, folder) for spec in SERVICES}
    for service in services.values():
        for peer in service.spec.peers:
            service.env[service.spec.peer_variable(peer)] = services[peer].url
        service.env.update(TEST_SETTINGS.get(service.spec.name, {}))
    try:
        for service in services.values():
            service.cli("migrate")
            if service.spec.seed:
                service.cli("seed")
            service.start()
        for service in services.values():
            service.wait_ready()
        yield services
    finally:
        for service in services.values():
            service.stop()


@pytest.fixture(scope="session")
def urls(request: pytest.FixtureRequest) -> dict[str, str]:
    from_env = {s.name: os.environ.get(f"{s.env_prefix}_URL") for s in SERVICES}
    if all(from_env.values()):
        return {name: url for name, url in from_env.items() if url}
    services = request.getfixturevalue("local_services")
    return {name: service.url for name, service in services.items()}


@pytest.fixture(scope="session")
def own_processes(request: pytest.FixtureRequest) -> dict[str, LocalService]:
    """The local processes, for tests that stop and start a service; skipped against a stack
    given by URL (docker-compose), where the suite cannot stop services."""
    if all(os.environ.get(f"{s.env_prefix}_URL") for s in SERVICES):
        pytest.skip("needs services started by the suite itself")
    return request.getfixturevalue("local_services")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Schemathesis writes whatever its generated requests allow (renames a board, adds
    budgets): run it after every test that reads the seeded state."""
    items.sort(key=lambda item: "test_schemathesis" in item.nodeid)
