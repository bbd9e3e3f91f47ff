"""Database faults for the test suites (imported by tests only): an app served over real HTTP
in this process, a database that stalls (a listener that never answers, a proxy that stops
relaying, a lock held by another connection) and connections terminated under load."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import uvicorn
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from municipal_shared.kit.database import is_sqlite


@dataclass
class Served:
    url: str
    server: uvicorn.Server
    task: asyncio.Task[None]

    async def stop(self) -> None:
        """Stop as SIGTERM does (graceful shutdown, then the lifespan's) and wait for it."""
        self.server.should_exit = True
        await self.task


@contextlib.asynccontextmanager
async def served(
    app: Any, *, lifespan: Literal["auto", "on", "off"] = "off", grace_seconds: int | None = None
) -> AsyncIterator[Served]:
    """Serve `app` with uvicorn on a loopback socket bound first (no port race). lifespan
    "off" for an app whose lifespan a fixture already runs."""
    sock = socket.socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    config = uvicorn.Config(
        app,
        lifespan=lifespan,
        log_level="warning",
        timeout_graceful_shutdown=grace_seconds,
    )
    server = uvicorn.Server(config)
    serving = Served(
        f"http://127.0.0.1:{sock.getsockname()[1]}",
        server,
        asyncio.create_task(server.serve(sockets=[sock])),
    )
    try:
        while not server.started:
            if serving.task.done():
                serving.task.result()  # raises what failed, if anything did
                raise RuntimeError("the app did not start; see its log")
            await asyncio.sleep(0.01)
        yield serving
    finally:
        await serving.stop()
        sock.close()


def connection_port(response: httpx.Response) -> int:
    """The client-side port the response came over: the same port for every answer means the
    keep-alive connection was never dropped."""
    stream = response.extensions["network_stream"]
    return int(stream.get_extra_info("client_addr")[1])


@contextlib.contextmanager
def silent_listener() -> Iterator[int]:
    """A TCP port that accepts connections (the kernel's backlog) and never says a word: a
    database server that stalls. Yields the port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


class StallingProxy:
    """A TCP proxy to the database that can stop relaying (`stall`): connections stay open
    and nothing arrives, as with a server that hangs or a network that drops packets."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.flowing = asyncio.Event()
        self.flowing.set()
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None
        self.port = 0

    async def __aenter__(self) -> StallingProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.flowing.set()
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()

    def stall(self) -> None:
        self.flowing.clear()

    def resume(self) -> None:
        self.flowing.set()

    def url_for(self, url: str) -> str:
        """`url` (a PostgreSQL URL) through this proxy."""
        proxied = make_url(url).set(host="127.0.0.1", port=self.port)
        return proxied.render_as_string(hide_password=False)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self.flowing.wait()
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self._writers += [writer, up_writer]
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while chunk := await reader.read(65536):
                await self.flowing.wait()
                writer.write(chunk)
                await writer.drain()
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def database_locked(url: str, version_table: str) -> AsyncIterator[None]:
    """Another connection holds a lock the service waits for: on PostgreSQL ACCESS EXCLUSIVE
    on the alembic version table (every read of it waits), on SQLite the write lock (every
    transaction there starts with BEGIN IMMEDIATE and waits)."""
    if is_sqlite(url):
        path = make_url(url).database
        holder = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'LOCK TABLE "{version_table}" IN ACCESS EXCLUSIVE MODE'))
            yield
            await conn.rollback()
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def backend_terminator(url: str) -> AsyncIterator[Callable[[], Awaitable[int]]]:
    """A PostgreSQL connection of its own to the database of `url`; yields a function that
    terminates every other connection to that database (pg_terminate_backend) and returns
    how many it terminated."""
    database = make_url(url).database
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:

            async def terminate() -> int:
                rows = await conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :db AND pid <> pg_backend_pid()"
                    ),
                    {"db": database},
                )
                return sum(1 for (done,) in rows if done)

            yield terminate
    finally:
        await engine.dispose()
