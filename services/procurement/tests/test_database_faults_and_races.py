"""Database faults over real HTTP: a dropped or stalled database is a 503 with Retry-After on a
keep-alive connection that stays open, never a 500; readiness and shutdown stay bounded.
Identical PUTs at the same moment all get the first answer. The outbox is never public."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from procurement_testkit import SET
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from municipal_shared.kit.database import is_sqlite
from municipal_shared.kit.settings import AuthSettings
from municipal_shared.kit.testing import assert_problem
from municipal_shared.kit.testing_faults import (
    StallingProxy,
    backend_terminator,
    connection_port,
    database_locked,
    served,
    silent_listener,
)
from procurement_service.main import create_app
from procurement_service.models import AuditEntry, Procurement
from procurement_service.settings import VERSION_TABLE, ProcurementSettings

ONE = "/v1/procurements/0580/{}"
BODY = {**SET["KS-2018-001"], "reason": "Avtal tecknat"}


def assert_unavailable(response: httpx.Response) -> None:
    assert_problem(response, 503)
    assert int(response.headers["retry-after"]) > 0


async def test_identical_puts_at_the_same_moment_all_get_the_first_answer(
    app: Any, client: httpx.AsyncClient, token: Callable[..., dict[str, str]]
) -> None:
    answers = await asyncio.gather(
        *[client.put(ONE.format("KS-2018-900"), json=BODY, headers=token()) for _ in range(10)]
    )
    # One request created it (201); the others found it stored as they ask (200, a no-op).
    assert sorted(a.status_code for a in answers) == [200] * 9 + [201], [a.text for a in answers]
    assert len({a.content for a in answers}) == 1  # the same body, the first answer's
    async with app.state.database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Procurement)) == 1
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 1


async def test_identical_bulk_puts_at_the_same_moment_store_once_and_never_conflict(
    app: Any, client: httpx.AsyncClient, token: Callable[..., dict[str, str]]
) -> None:
    body = {"items": [{"reference": ref, **outcome} for ref, outcome in SET.items()]}
    answers = await asyncio.gather(
        *[client.put("/v1/procurements/0580", json=body, headers=token()) for _ in range(6)]
    )
    assert [a.status_code for a in answers] == [200] * 6, [a.text for a in answers]
    assert sum(a.json()["created"] for a in answers) == len(SET)
    assert all(a.json()["changed"] == 0 for a in answers)
    async with app.state.database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Procurement)) == len(SET)


@pytest.mark.parametrize("path", ["/v1/outbox", "/v1/outbox/dead-letters"])
async def test_the_outbox_needs_the_read_scope_even_when_reads_are_public(
    app: Any, client: httpx.AsyncClient, token: Callable[..., dict[str, str]], path: str
) -> None:
    assert not app.state.auth_settings.require_read_scope
    refused = assert_problem(await client.get(path), 401)
    assert "procurement:read" in refused["detail"]
    assert_problem(await client.get(path, headers=token("procurement:write")), 403)
    assert (await client.get(path, headers=token("procurement:read"))).status_code == 200
    assert (await client.get("/v1/procurements/0580")).status_code == 200  # still public


@pytest.mark.must_run
async def test_connections_terminated_during_writes_answer_503_never_500_nor_a_dropped_connection(
    app: Any, database_url: str, token: Callable[..., dict[str, str]]
) -> None:
    if is_sqlite(database_url):
        pytest.skip("terminating server connections needs PostgreSQL (pg_terminate_backend)")
    headers = token()
    stop = asyncio.Event()

    async def keep_terminating(terminate: Callable[[], Any]) -> int:
        """For two seconds, every 10-100 ms: whatever the writes are doing at that moment."""
        terminated = 0
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            terminated += await terminate()
            await asyncio.sleep(random.uniform(0.01, 0.1))  # noqa: S311
        stop.set()
        return terminated

    async def write_stream(base_url: str, stream: int) -> list[tuple[str, httpx.Response, int]]:
        answers = []
        # One connection per stream, kept alive: every answer must come over it.
        limits = httpx.Limits(max_connections=1)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as http:
            for n in itertools.count():
                reference = f"FAULT-{stream}-{n}"
                response = await http.put(ONE.format(reference), json=BODY, headers=headers)
                answers.append((reference, response, connection_port(response)))
                if stop.is_set():
                    break
            # The terminations are over: the pool has replaced its connections.
            recovered = await http.put(ONE.format(f"AFTER-{stream}"), json=BODY, headers=headers)
            assert recovered.status_code == 201, recovered.text
            answers.append((f"AFTER-{stream}", recovered, connection_port(recovered)))
        return answers

    async with served(app) as serving, backend_terminator(database_url) as terminate:
        killer = asyncio.create_task(keep_terminating(terminate))
        streams = await asyncio.gather(*(write_stream(serving.url, s) for s in range(4)))
        terminated = await killer

    stored_answers = []
    for answers in streams:
        assert len({port for _, _, port in answers}) == 1, "a connection was dropped"
        for reference, response, _ in answers:
            if response.status_code in (200, 201):
                stored_answers.append(reference)
            else:
                assert_unavailable(response)
    async with app.state.database.sessions() as session:
        stored = set((await session.scalars(select(Procurement.reference))).all())
    assert set(stored_answers) <= stored  # every 2xx answer's row is there
    unavailable = sum(len(a) for a in streams) - len(stored_answers)
    assert terminated > 0 and unavailable > 0 and stored_answers, (terminated, unavailable)


async def test_a_stalled_database_makes_readyz_503_within_2_seconds(
    client: httpx.AsyncClient, database_url: str
) -> None:
    assert (await client.get("/readyz")).status_code == 200
    async with database_locked(database_url, VERSION_TABLE):
        started = time.monotonic()
        stalled = await client.get("/readyz")
        elapsed = time.monotonic() - started
    assert stalled.status_code == 503 and elapsed < 2.0, (stalled.text, elapsed)
    assert "did not answer" in stalled.json()["detail"]
    assert (await client.get("/readyz")).status_code == 200


def _settings(url: str, **overrides: Any) -> ProcurementSettings:
    return ProcurementSettings(**{"database_url": url, "relay_enabled": False, **overrides})


async def test_a_database_that_never_answers_is_503_with_retry_after_on_the_same_connection(
    token: Callable[..., dict[str, str]],
) -> None:
    with silent_listener() as port:
        url = f"postgresql+asyncpg://steering@127.0.0.1:{port}/procurement"
        app = create_app(_settings(url, db_connect_timeout_seconds=0.5), AuthSettings())
        async with (
            served(app, lifespan="on") as serving,
            httpx.AsyncClient(base_url=serving.url, timeout=10) as http,
        ):
            ports = set()
            started = time.monotonic()
            ready = await http.get("/readyz")
            assert ready.status_code == 503 and time.monotonic() - started < 2.0
            ports.add(connection_port(ready))
            for _ in range(3):
                write = await http.put(ONE.format("KS-2018-901"), json=BODY, headers=token())
                assert_unavailable(write)
                ports.add(connection_port(write))
                read = await http.get(ONE.format("KS-2018-901"))
                assert_unavailable(read)
                assert read.headers["x-request-id"]
                ports.add(connection_port(read))
            assert len(ports) == 1  # every 503 over the same keep-alive connection


async def test_shutdown_with_a_stalled_database_ends_within_the_grace_period(
    database_url: str, token: Callable[..., dict[str, str]]
) -> None:
    grace, connect = 1, 1.0
    overrides = {
        "db_connect_timeout_seconds": connect,
        "db_statement_timeout_seconds": 10.0,  # longer than the grace: shutdown must not wait
        "shutdown_grace_seconds": grace,
        # The relay's loop waits on the stalled database too. Not on SQLite: a task cancelled
        # while aiosqlite's thread waits for the lock may never finish unwinding (its driver
        # closes the connection under it), which would hold the test's event loop.
        "relay_enabled": not is_sqlite(database_url),
        "relay_interval_seconds": 0.05,
        "indicators_url": "http://127.0.0.1:9",
    }
    async with contextlib.AsyncExitStack() as stack:
        app_url = database_url
        proxy = None
        if not is_sqlite(database_url):  # PostgreSQL stalls behind a proxy that stops relaying
            parsed = make_url(database_url)
            proxy = StallingProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
            await stack.enter_async_context(proxy)
            app_url = proxy.url_for(database_url)
        app = create_app(_settings(app_url, **overrides), AuthSettings())
        http = await stack.enter_async_context(httpx.AsyncClient(timeout=30))
        serving = await stack.enter_async_context(served(app, lifespan="on", grace_seconds=grace))
        assert (await http.get(f"{serving.url}/readyz")).status_code == 200  # the pool is warm
        async with database_locked(database_url, VERSION_TABLE):  # SQLite stalls on its lock
            if proxy is not None:
                proxy.stall()
            path = ONE.format("KS-2018-902")
            in_flight = asyncio.create_task(
                http.put(f"{serving.url}{path}", json=BODY, headers=token())
            )
            await asyncio.sleep(0.3)  # the write now waits on the database
            started = time.monotonic()
            await serving.stop()  # as SIGTERM: grace for the request, then the lifespan's end
            elapsed = time.monotonic() - started
            if proxy is not None:
                proxy.resume()
        # Cut off by the shutdown: a 503 the client may retry, not the server's bare 500 (on
        # SQLite it comes once the driver's thread returns from the lock wait).
        cut_off = await asyncio.wait_for(in_flight, 15)
    assert elapsed < grace + connect + 1.5, elapsed
    assert_unavailable(cut_off)
    assert cut_off.json()["type"].endswith("/shutting-down")


async def test_a_startup_refuses_the_built_in_secret_on_every_interface() -> None:
    app = create_app(
        _settings("sqlite+aiosqlite:///:memory:", host="0.0.0.0"),  # noqa: S104
        AuthSettings(mode="development"),
    )
    with pytest.raises(RuntimeError, match=r"AUTH_DEV_SECRET.*PROCUREMENT_HOST=0\.0\.0\.0"):
        async with LifespanManager(app):
            pass
