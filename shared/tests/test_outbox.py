"""The outbox delivers over real HTTP to a real receiver, from a real database: a temporary
SQLite file, or PostgreSQL when OUTBOX_TEST_DATABASE_URL names an empty database.

Time is a fake clock the tests move forward, so backoff is checked without sleeping."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import MetaData, Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from municipal_shared.kit.database import NAMING_CONVENTION, create_engine, utc_now
from municipal_shared.kit.outbox import (
    DEAD,
    DELIVERED,
    PENDING,
    OutboxRelay,
    RelayResult,
    dead_letters_query,
    enqueue,
    outbox_table,
    pending_count_query,
    requeue,
)
from municipal_shared.kit.testing import database_url_for_tests

ENV_VAR = "OUTBOX_TEST_DATABASE_URL"
PATH = "/v1/figures"
BODY = {"municipality": "0580", "indicator": "N00914", "year": 2024, "value": "4.5"}
TOKEN = "Bearer relay-token"
HANG_SECONDS = 2.0
LONG_DETAIL = "x" * 5000


class Receiver:
    """A peer service stand-in served by uvicorn on a pre-bound loopback socket.

    Until `start` the socket is bound but not listening, so connections are refused: the
    port is reserved and "the peer is down" needs no second port. `script` lists how the
    next requests are answered ("200", "503", "422", "422-long", "hang"); then 200."""

    def __init__(self) -> None:
        self.keys: list[str | None] = []
        self.bodies: list[Any] = []
        self.authorizations: list[str | None] = []
        self.script: list[str] = []
        self._lock = threading.Lock()
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/{path:path}")
        async def receive(path: str, request: Request) -> JSONResponse:
            body = await request.json()  # before the lock: never await while holding it
            with self._lock:
                self.keys.append(request.headers.get("idempotency-key"))
                self.authorizations.append(request.headers.get("authorization"))
                self.bodies.append(body)
                action = self.script.pop(0) if self.script else "200"
            if action == "hang":
                await asyncio.sleep(HANG_SECONDS)
            if action in ("503", "422", "422-long"):
                status = int(action[:3])
                detail = {
                    "503": "Indicator store is restarting",
                    "422": "Indicator N00914 has no figures for 2024",
                    "422-long": LONG_DETAIL,
                }[action]
                return JSONResponse(
                    {"type": "about:blank", "title": "Refused", "status": status, "detail": detail},
                    status_code=status,
                    media_type="application/problem+json",
                )
            return JSONResponse({"accepted": True})

        return app

    def start(self) -> None:
        config = uvicorn.Config(
            self._app(), log_level="warning", lifespan="off", timeout_graceful_shutdown=0.2
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 5
        while not self._server.started:
            assert time.monotonic() < deadline, "receiver did not start"
            time.sleep(0.01)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(5)
        self.socket.close()


class FakeClock:
    """Starts a minute ahead of real time, so rows enqueued with the real clock are due."""

    def __init__(self) -> None:
        self.now = utc_now() + dt.timedelta(minutes=1)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance_to(self, when: dt.datetime) -> None:
        self.now = max(self.now, when)


@dataclass
class Store:
    engine: AsyncEngine
    table: Table
    sessions: async_sessionmaker[Any]

    async def add(self, key: str, destination: str = "indicators") -> None:
        async with self.sessions() as session:
            await enqueue(
                session,
                self.table,
                destination=destination,
                method="post",
                path=PATH,
                body=BODY,
                idempotency_key=key,
            )
            await session.commit()

    async def rows(self) -> list[Any]:
        async with self.engine.connect() as conn:
            return list((await conn.execute(select(self.table).order_by(self.table.c.id))).all())

    async def row(self) -> Any:
        (only,) = await self.rows()
        return only


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    table = outbox_table(metadata)
    engine = create_engine(database_url_for_tests(ENV_VAR, tmp_path, "outbox"))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
        await conn.run_sync(metadata.create_all)
    yield Store(engine, table, async_sessionmaker(engine, expire_on_commit=False))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
    await engine.dispose()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    peer = Receiver()
    peer.start()
    yield peer
    peer.stop()


@pytest.fixture
def down_receiver() -> Iterator[Receiver]:
    peer = Receiver()
    yield peer
    peer.stop()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as shared:
        yield shared


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def seeded() -> random.Random:
    """The same jitter sequence every run (not for secrets)."""
    return random.Random(7)  # noqa: S311


def make_relay(
    store: Store,
    receiver: Receiver,
    client: httpx.AsyncClient,
    clock: Callable[[], dt.datetime],
    **options: Any,
) -> OutboxRelay:
    settings: dict[str, Any] = {"timeout": 1.0, "random": seeded(), "clock": clock}
    return OutboxRelay(
        store.engine,
        store.table,
        destinations={"indicators": receiver.url + "/"},
        client=client,
        headers=lambda: {"Authorization": TOKEN},
        **(settings | options),
    )


async def count_pending(store: Store) -> int:
    async with store.sessions() as session:
        return int(await session.scalar(pending_count_query(store.table)) or 0)


async def test_enqueue_in_a_rolled_back_transaction_leaves_nothing(store: Store) -> None:
    async with store.sessions() as session:
        await enqueue(
            session,
            store.table,
            destination="indicators",
            method="POST",
            path=PATH,
            body=BODY,
            idempotency_key="rolled-back",
        )
        await session.rollback()
    assert await store.rows() == []


async def test_enqueue_twice_with_one_key_stores_one_row(store: Store) -> None:
    async with store.sessions() as session:
        for _ in range(2):
            await enqueue(
                session,
                store.table,
                destination="indicators",
                method="post",
                path=PATH,
                body=BODY,
                idempotency_key="once",
            )
        await session.commit()
    await store.add("once")  # a retried request, in a later transaction
    row = await store.row()
    assert (row.status, row.attempts, row.method, row.body) == (PENDING, 0, "POST", BODY)
    assert await count_pending(store) == 1
    # The backstop for two writers that both passed the existence check.
    with pytest.raises(IntegrityError):
        async with store.engine.begin() as conn:
            values = {k: v for k, v in row._asdict().items() if k != "id"}
            await conn.execute(insert(store.table).values(**values))


async def test_2xx_marks_delivered_and_the_receiver_sees_the_key_once(
    store: Store, receiver: Receiver, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await store.add("delivered-1")
    relay = make_relay(store, receiver, client, clock)

    assert await relay.run_once() == RelayResult(delivered=1)
    assert await relay.run_once() == RelayResult()

    row = await store.row()
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == (
        DELIVERED,
        1,
        200,
        None,
    )
    assert row.delivered_at == clock.now
    assert receiver.keys == ["delivered-1"]
    assert receiver.bodies == [BODY] and receiver.authorizations == [TOKEN]
    assert await count_pending(store) == 0


async def test_503_is_retried_with_growing_capped_jittered_backoff(
    store: Store, receiver: Receiver, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await store.add("flaky")
    receiver.script = ["503"] * 6
    relay = make_relay(store, receiver, client, clock, base_delay=1.0, max_delay=8.0)
    replay = seeded()  # the relay's jitter source, replayed
    delays: list[float] = []
    attempt_times: list[dt.datetime] = []

    for attempt in range(1, 7):
        assert await relay.run_once() == RelayResult(retried=1)
        assert await relay.run_once() == RelayResult(), "not due again before the backoff"
        row = await store.row()
        delay = (row.next_attempt_at - clock.now).total_seconds()
        step = min(8.0, 2.0 ** (attempt - 1))
        assert step / 2 - 1e-6 <= delay <= step + 1e-6
        assert delay == pytest.approx(step / 2 + replay.uniform(0, step / 2), abs=1e-5)
        assert (row.status, row.attempts, row.last_status_code) == (PENDING, attempt, 503)
        assert row.last_error == "HTTP 503: Indicator store is restarting"
        delays.append(delay)
        attempt_times.append(row.next_attempt_at)
        clock.advance_to(row.next_attempt_at)

    # Before the cap each delay is at least the previous one (equal jitter's floor doubles);
    # at the cap they vary within [max_delay / 2, max_delay].
    assert delays[:4] == sorted(delays[:4])
    assert all(4.0 - 1e-6 <= d <= 8.0 + 1e-6 for d in delays[3:])
    assert attempt_times == sorted(attempt_times) and len(set(attempt_times)) == 6
    assert await relay.run_once() == RelayResult(delivered=1)
    assert (await store.row()).status == DELIVERED
    assert receiver.keys == ["flaky"] * 7


async def test_delay_stays_within_bounds_for_any_attempt(
    store: Store, client: httpx.AsyncClient, down_receiver: Receiver, clock: FakeClock
) -> None:
    relay = make_relay(store, down_receiver, client, clock, base_delay=0.5, max_delay=300.0)
    for attempts in [*range(1, 40), 10_000]:
        step = min(300.0, 0.5 * 2 ** min(attempts - 1, 60))
        assert step / 2 <= relay.retry_delay(attempts) <= step


async def test_422_goes_dead_at_once_and_requeue_brings_it_back(
    store: Store,
    receiver: Receiver,
    client: httpx.AsyncClient,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await store.add("refused")
    receiver.script = ["422"]
    relay = make_relay(store, receiver, client, clock)

    with caplog.at_level(logging.WARNING, logger="municipal_shared.outbox"):
        assert await relay.run_once() == RelayResult(dead=1)
    row = await store.row()
    assert (row.status, row.attempts, row.last_status_code) == (DEAD, 1, 422)
    assert row.last_error == "HTTP 422: Indicator N00914 has no figures for 2024"
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert f"id={row.id}" in record.getMessage() and "indicators" in record.getMessage()
    assert "refused" in record.getMessage() and "N00914" not in record.getMessage()
    clock.advance_to(clock.now + dt.timedelta(hours=1))
    assert await relay.run_once() == RelayResult(), "a dead letter is never sent again"

    async with store.sessions() as session:
        assert [r.id for r in (await session.execute(dead_letters_query(store.table)))] == [row.id]
        assert await requeue(session, store.table, row.id, now=clock.now) is True
        assert await requeue(session, store.table, row.id, now=clock.now) is False
        assert await requeue(session, store.table, row.id + 999) is False
        await session.commit()
    requeued = await store.row()
    assert (requeued.status, requeued.attempts, requeued.next_attempt_at) == (
        PENDING,
        0,
        clock.now,
    )

    assert await relay.run_once() == RelayResult(delivered=1)
    async with store.sessions() as session:
        assert (await session.execute(dead_letters_query(store.table))).all() == []
    assert receiver.keys == ["refused", "refused"]


async def test_a_long_error_is_truncated(
    store: Store, receiver: Receiver, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await store.add("long")
    receiver.script = ["422-long"]
    assert await make_relay(store, receiver, client, clock).run_once() == RelayResult(dead=1)
    row = await store.row()
    assert len(row.last_error) == 2000 and row.last_error.startswith("HTTP 422: xxx")


async def test_unknown_destination_goes_dead(
    store: Store, receiver: Receiver, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await store.add("nowhere", destination="budget")
    assert await make_relay(store, receiver, client, clock).run_once() == RelayResult(dead=1)
    row = await store.row()
    assert row.status == DEAD and "budget" in row.last_error
    assert receiver.keys == []


async def test_max_attempts_reached_goes_dead(
    store: Store, receiver: Receiver, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await store.add("hopeless")
    receiver.script = ["503"] * 10
    relay = make_relay(store, receiver, client, clock, max_attempts=3)

    for expected in (RelayResult(retried=1), RelayResult(retried=1), RelayResult(dead=1)):
        assert await relay.run_once() == expected
        clock.advance_to((await store.row()).next_attempt_at)
    clock.advance_to(clock.now + dt.timedelta(hours=1))
    assert await relay.run_once() == RelayResult()

    row = await store.row()
    assert (row.status, row.attempts, row.last_status_code) == (DEAD, 3, 503)
    assert row.last_error == "HTTP 503: Indicator store is restarting"
    assert receiver.keys == ["hopeless"] * 3


async def test_a_hanging_receiver_times_out_and_is_retried(
    store: Store, receiver: Receiver, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await store.add("slow")
    receiver.script = ["hang"]
    relay = make_relay(store, receiver, client, clock, timeout=0.3)

    started = time.monotonic()
    assert await relay.run_once() == RelayResult(retried=1)
    assert time.monotonic() - started < HANG_SECONDS / 2
    row = await store.row()
    assert (row.status, row.attempts, row.last_status_code) == (PENDING, 1, None)
    assert "timed out" in row.last_error

    clock.advance_to(row.next_attempt_at)
    assert await relay.run_once() == RelayResult(delivered=1)
    # At least once: the hung request had arrived too; the receiver deduplicates by key.
    assert receiver.keys == ["slow", "slow"]


async def test_a_receiver_that_is_down_gets_the_message_once_it_is_up(
    store: Store, down_receiver: Receiver, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await store.add("patient")
    relay = make_relay(store, down_receiver, client, clock)

    assert await relay.run_once() == RelayResult(retried=1)
    row = await store.row()
    assert row.status == PENDING and row.last_status_code is None
    assert row.last_error.startswith("ConnectError")
    assert down_receiver.keys == []

    down_receiver.start()
    assert await relay.run_once() == RelayResult(), "still backing off"
    clock.advance_to(row.next_attempt_at)
    assert await relay.run_once() == RelayResult(delivered=1)
    clock.advance_to(clock.now + dt.timedelta(hours=1))
    assert await relay.run_once() == RelayResult()
    assert down_receiver.keys == ["patient"]


async def test_run_forever_delivers_until_stopped(
    store: Store, receiver: Receiver, client: httpx.AsyncClient
) -> None:
    relay = make_relay(store, receiver, client, clock=utc_now)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run_forever(stop, interval=0.05))
    await store.add("background")
    deadline = time.monotonic() + 5
    while (await store.row()).status != DELIVERED:
        assert time.monotonic() < deadline, "not delivered in time"
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, timeout=2)
    assert receiver.keys == ["background"]


@pytest.mark.must_run
async def test_two_relays_at_once_never_send_a_message_twice(
    store: Store, receiver: Receiver, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL; SQLite runs one relay per file")
    keys = [f"concurrent-{n}" for n in range(60)]
    async with store.sessions() as session:
        for key in keys:
            await enqueue(
                session,
                store.table,
                destination="indicators",
                method="POST",
                path=PATH,
                body=BODY,
                idempotency_key=key,
            )
        await session.commit()
    second_engine = create_engine(store.engine.url.render_as_string(hide_password=False))
    first = make_relay(store, receiver, client, clock, batch_size=10)
    second = make_relay(
        Store(second_engine, store.table, store.sessions), receiver, client, clock, batch_size=10
    )

    totals = {"first": 0, "second": 0}
    while True:
        a, b = await asyncio.gather(first.run_once(), second.run_once())
        if a.claimed == b.claimed == 0:
            break
        totals["first"] += a.delivered
        totals["second"] += b.delivered
    await second_engine.dispose()

    assert Counter(receiver.keys) == Counter(keys)
    assert totals["first"] + totals["second"] == len(keys)
    assert totals["first"] > 0 and totals["second"] > 0
    assert {row.status for row in await store.rows()} == {DELIVERED}
