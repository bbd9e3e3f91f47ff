"""The kit's audit writer and peer client: an entry is stored with the change that made it;
a peer call carries the request id being served and a peer token; a peer that fails is an
unavailable reading that says why."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from pydantic import BaseModel
from pydantic_settings import SettingsConfigDict
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from municipal_shared.kit.audit import AuditColumns, AuditEntryOut, record_audit
from municipal_shared.kit.database import create_engine
from municipal_shared.kit.peer_tokens import PeerClientSettings
from municipal_shared.kit.peers import RevalidatingReader, peer_client, read_contract
from municipal_shared.kit.request_id import _request_id
from municipal_shared.kit.settings import AuthSettings


class Base(DeclarativeBase):
    pass


class AuditEntry(AuditColumns, Base):
    __tablename__ = "audit_entry"
    board_code: Mapped[str] = mapped_column(String(16))


async def test_an_entry_is_stored_with_the_change_and_read_back_as_the_wire_shape(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as session:
        record_audit(
            session,
            AuditEntry,
            actor="controller@linkoping.se",
            action="frame.changed",
            target="0580/KS/2018",
            reason="council decision 2017-11-28",
            changes=[{"field": "/amounts/2018", "before": 1, "after": 2}],
            board_code="KS",
        )
        await session.rollback()  # no commit, no entry: it lives and dies with the change
        record_audit(
            session, AuditEntry, actor="a", action="b", target="c", reason="d", board_code="KS"
        )
        await session.commit()
    async with sessions() as session:
        stored = (await session.scalars(select(AuditEntry))).all()
    await engine.dispose()
    assert len(stored) == 1
    out = AuditEntryOut.model_validate(stored[0])
    assert (out.actor, out.action, out.changes) == ("a", "b", [])
    assert out.at.tzinfo is not None


class Contract(BaseModel):
    total: int


class ClientSettings(PeerClientSettings):
    model_config = SettingsConfigDict(env_prefix="KIT_PEER_TEST_")
    client_scope: str = "budget:read"


def recording(
    answer: Callable[[httpx.Request], httpx.Response], seen: list[httpx.Request]
) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    return httpx.MockTransport(handler)


async def test_a_peer_call_carries_the_request_id_and_a_peer_token() -> None:
    seen: list[httpx.Request] = []
    transport = recording(lambda _: httpx.Response(200, json={"total": 1}), seen)
    auth = AuthSettings(mode="development", dev_secret="x" * 40)
    async with peer_client(
        auth,
        ClientSettings(),
        fixed_token=None,
        subject="indicator-service",
        timeout_seconds=2,
        transport=transport,
    ) as client:
        token = _request_id.set("report-robot-42")
        try:
            reading = await read_contract(client, "http://budget.test/doc", Contract)
        finally:
            _request_id.reset(token)
        await client.get("http://budget.test/other")  # outside a request: no id is made up
    assert reading.status == "available" and reading.data == {"total": 1}
    assert seen[0].headers["x-request-id"] == "report-robot-42"
    assert seen[0].headers["authorization"].startswith("Bearer ")
    assert "x-request-id" not in seen[1].headers


@pytest.mark.parametrize(
    ("answer", "detail"),
    [
        (lambda r: httpx.Response(200, json={"total": "many"}), "does not match the shared"),
        (lambda r: httpx.Response(200, text="<html>"), "Contract: not JSON"),
        (
            lambda r: httpx.Response(
                503,
                json={"title": "Database unavailable"},
                headers={"content-type": "application/problem+json"},
            ),
            "answered 503: Database unavailable",
        ),
        (lambda r: httpx.Response(404), "answered 404"),
    ],
)
async def test_a_peer_that_fails_gives_an_unavailable_reading_naming_why(
    answer: Callable[[httpx.Request], httpx.Response], detail: str
) -> None:
    async with httpx.AsyncClient(transport=recording(answer, [])) as client:
        reading = await read_contract(client, "http://budget.test/doc", Contract)
    assert reading.status == "unavailable" and reading.data is None
    assert reading.detail is not None and detail in reading.detail


async def test_an_unreachable_peer_is_unavailable_not_an_exception() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as client:
        reading = await read_contract(client, "http://budget.test/doc", Contract)
    assert (reading.status, reading.detail) == ("unavailable", "unreachable: ConnectError")


async def test_a_kept_peer_document_is_revalidated_not_read_again() -> None:
    seen: list[httpx.Request] = []
    state = {"total": 1}

    def peer(request: httpx.Request) -> httpx.Response:
        etag = f'"v{state["total"]}"'
        if request.headers.get("if-none-match") == etag:
            return httpx.Response(304, headers={"ETag": etag})
        return httpx.Response(200, json=dict(state), headers={"ETag": etag})

    async with httpx.AsyncClient(transport=recording(peer, seen)) as client:
        reader = RevalidatingReader(client, max_entries=1)
        first, tag = await reader.read("http://budget.test/doc", Contract)
        again, same = await reader.read("http://budget.test/doc", Contract)
        state["total"] = 2
        changed, new = await reader.read("http://budget.test/doc", Contract)
        await reader.read("http://budget.test/other", Contract)  # pushes /doc out (1 kept)
        await reader.read("http://budget.test/doc", Contract)
    assert (first.data, again.data, changed.data) == ({"total": 1}, {"total": 1}, {"total": 2})
    assert (tag, same, new) == ('"v1"', '"v1"', '"v2"')
    assert "if-none-match" not in seen[0].headers
    assert seen[1].headers["if-none-match"] == '"v1"'  # answered 304, no body
    assert seen[2].headers["if-none-match"] == '"v1"'  # answered 200 with the new one
    assert "if-none-match" not in seen[4].headers  # forgotten beyond max_entries


async def test_reads_arriving_during_a_revalidation_share_the_next_one_never_the_earlier() -> None:
    """The first round is held at the peer; a write lands; the reads that arrived meanwhile
    are answered by one later round that sees the write, never by the round on its way."""
    state = {"total": 1}
    sent: list[int] = []
    release = asyncio.Event()

    async def peer(request: httpx.Request) -> httpx.Response:
        sent.append(state["total"])
        answer = dict(state)  # what the peer has when the request reaches it
        if len(sent) == 1:
            await release.wait()
        return httpx.Response(200, json=answer, headers={"ETag": f'"v{answer["total"]}"'})

    async with httpx.AsyncClient(transport=httpx.MockTransport(peer)) as client:
        reader = RevalidatingReader(client)
        url = "http://budget.test/doc"
        first = asyncio.create_task(reader.read(url, Contract))
        await asyncio.sleep(0.01)  # the first round is at the peer
        state["total"] = 2  # a write the peer acknowledges now
        later = [asyncio.create_task(reader.read(url, Contract)) for _ in range(5)]
        await asyncio.sleep(0.01)
        release.set()
        readings = await asyncio.gather(first, *later)
    assert readings[0][0].data == {"total": 1}
    assert {r.data["total"] for r, _ in readings[1:]} == {2}  # type: ignore[index]
    assert sent == [1, 2]  # six reads, two requests
    assert len(reader._rounds) == 0  # nothing kept once no round is on its way


async def test_a_reader_that_gives_up_does_not_cancel_the_round_others_wait_for() -> None:
    release = asyncio.Event()

    async def peer(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return httpx.Response(200, json={"total": 3}, headers={"ETag": '"v3"'})

    async with httpx.AsyncClient(transport=httpx.MockTransport(peer)) as client:
        reader = RevalidatingReader(client)
        url = "http://budget.test/doc"
        impatient = asyncio.create_task(reader.read(url, Contract))
        patient = asyncio.create_task(reader.read(url, Contract))
        await asyncio.sleep(0.01)
        impatient.cancel()
        release.set()
        reading, etag = await patient
    assert (reading.data, etag) == ({"total": 3}, '"v3"')
