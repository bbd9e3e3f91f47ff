"""What crosses a service boundary: a peer call carries the request id and traceparent of the
request being served, and each unreadable peer document counts as a failure by contract and
reason; an outbox delivery carries a request id naming the message and attempt and a trace id
fixed by its idempotency key, and every attempt is counted by outcome."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY
from pydantic import BaseModel
from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from municipal_shared.kit.database import NAMING_CONVENTION, create_engine
from municipal_shared.kit.outbox import OutboxRelay, backlog, enqueue, outbox_table
from municipal_shared.kit.peer_tokens import PeerClientSettings
from municipal_shared.kit.peers import peer_client, read_contract
from municipal_shared.kit.request_id import set_request_id
from municipal_shared.kit.settings import AuthSettings
from municipal_shared.kit.testing import database_url_for_tests
from municipal_shared.kit.tracing import continue_trace, set_traceparent


class FollowUpContract(BaseModel):
    total: int


class ClientSettings(PeerClientSettings):
    pass


def _failures(reason: str) -> float:
    labels = {"contract": "FollowUpContract", "reason": reason}
    return REGISTRY.get_sample_value("peer_read_failures_total", labels) or 0.0


async def test_a_peer_call_carries_the_trace_and_failures_are_counted() -> None:
    seen: list[httpx.Request] = []
    answers = iter(
        [
            httpx.Response(200, json={"total": 1}),
            httpx.Response(503, json={"title": "down"}),
            httpx.Response(200, json={"total": "many"}),
        ]
    )

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/unreachable":
            raise httpx.ConnectError("refused", request=request)
        return next(answers)

    before = {reason: _failures(reason) for reason in ("status", "contract", "unreachable")}
    auth = AuthSettings(mode="development", dev_secret="x" * 40)
    async with peer_client(
        auth,
        ClientSettings(),
        fixed_token=None,
        subject="indicator-service",
        timeout_seconds=2,
        transport=httpx.MockTransport(answer),
    ) as client:
        traceparent, _ = continue_trace(b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        set_request_id("composed-robot-9")
        set_traceparent(traceparent)
        readings = [
            await read_contract(client, f"http://budget.test/{path}", FollowUpContract)
            for path in ("ok", "status", "contract", "unreachable")
        ]
    assert [r.status for r in readings] == ["available"] + ["unavailable"] * 3
    for request in seen:
        assert request.headers["x-request-id"] == "composed-robot-9"
        assert request.headers["traceparent"] == traceparent
    assert traceparent.split("-")[1] == "0af7651916cd43dd8448eb211c80319c"
    for reason in ("status", "contract", "unreachable"):
        assert _failures(reason) == before[reason] + 1, reason


@pytest.fixture
async def outbox(tmp_path: Path) -> AsyncIterator[tuple[AsyncEngine, Table]]:
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    table = outbox_table(metadata)
    engine = create_engine(database_url_for_tests("OUTBOX_TEST_DATABASE_URL", tmp_path, "outbox"))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
        await conn.run_sync(metadata.create_all)
    yield engine, table
    async with engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
    await engine.dispose()


def _attempts(outcome: str) -> float:
    labels = {"destination": "indicators", "outcome": outcome}
    return REGISTRY.get_sample_value("outbox_delivery_attempts_total", labels) or 0.0


async def test_an_outbox_delivery_carries_its_own_request_id_and_trace(
    outbox: tuple[AsyncEngine, Table],
) -> None:
    engine, table = outbox
    seen: list[httpx.Request] = []
    # Per message and attempt: T2 first 503 (retry), then 422 (dead); T3 200.
    script = {"outbox-1-1": 503, "outbox-1-2": 422, "outbox-2-1": 200}

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(script[request.headers["x-request-id"]], json={"title": "answer"})

    async with engine.begin() as conn:
        async with AsyncSession(bind=conn) as session:
            for key in ("figures-2018-T2", "figures-2018-T3"):
                await enqueue(
                    session, table, destination="indicators", method="PUT",
                    path="/v1/figures", body={"key": key}, idempotency_key=key,
                )  # fmt: skip
            await session.flush()
    before = {outcome: _attempts(outcome) for outcome in ("delivered", "retry", "dead")}
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        relay = OutboxRelay(
            engine,
            table,
            destinations={"indicators": "http://indicators.test"},
            client=client,
            base_delay=0.0,
            max_delay=0.0,
        )
        await relay.run_once()
        await relay.run_once()
    by_key: dict[str, list[httpx.Request]] = {}
    for request in seen:
        by_key.setdefault(request.headers["idempotency-key"], []).append(request)
    first = by_key["figures-2018-T2"]
    assert [r.headers["x-request-id"] for r in first] == ["outbox-1-1", "outbox-1-2"]
    expected_trace = hashlib.blake2b(b"figures-2018-T2", digest_size=16).hexdigest()
    traces = [r.headers["traceparent"].split("-") for r in first]
    assert all(t[1] == expected_trace for t in traces) and traces[0][2] != traces[1][2]
    assert by_key["figures-2018-T3"][0].headers["x-request-id"] == "outbox-2-1"
    assert _attempts("retry") == before["retry"] + 1
    assert _attempts("delivered") == before["delivered"] + 1
    assert _attempts("dead") == before["dead"] + 1
    found = await backlog(engine, table)
    assert (found.pending, found.dead, found.oldest_pending) == (0, 1, None)
