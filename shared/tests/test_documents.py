"""Stored documents: rendered once per state of the data, served from one query, never stale
after an acknowledged write; on a temporary SQLite file, or PostgreSQL when
OUTBOX_TEST_DATABASE_URL names a database (CI), shared with the outbox tests' tables."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.kit.database import NAMING_CONVENTION, Database, create_engine
from municipal_shared.kit.document_store import DocumentStore, ValidatedCache, _Kept
from municipal_shared.kit.documents import (
    SERVICE_SCOPE,
    Rendered,
    document_tables,
    touch,
    tracked_sessions,
)
from municipal_shared.kit.testing import database_url_for_tests

metadata = MetaData(naming_convention=NAMING_CONVENTION)
things = Table(
    "document_test_thing",
    metadata,
    Column("scope", String(20), primary_key=True),
    Column("value", Integer, nullable=False),
)
TABLES = document_tables(metadata)


class App:
    """Explicit scopes here (touch), so a write to one scope leaves the others' documents."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.store = DocumentStore(database, TABLES)
        self.renders = 0
        self.app = FastAPI()

        @self.app.get("/things/{a}/{b}")
        async def read(a: str, b: str, request: Request) -> Response:
            async def render(s: AsyncSession) -> Rendered:
                self.renders += 1
                rows = await s.execute(select(things).where(things.c.scope.in_([a, b])))
                body = ",".join(f"{r.scope}={r.value}" for r in sorted(rows, key=lambda r: r.scope))
                return Rendered(body.encode(), media_type="text/plain")

            variant = request.headers.get("x-variant", "")
            store = request.headers.get("x-store") != "no"
            return await self.store.serve(
                request, render, scopes=[a, b], variant=variant, store=store
            )

    async def write(self, scope: str, value: int) -> None:
        """A use case: the change and the touch in one transaction, then commit."""
        async with self.database.sessions() as s:
            changed = await s.execute(
                update(things).where(things.c.scope == scope).values(value=value)
            )
            if changed.rowcount == 0:  # type: ignore[attr-defined]  # CursorResult of an UPDATE
                await s.execute(things.insert().values(scope=scope, value=value))
            await touch(s, TABLES, scope)
            await s.commit()


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[App]:
    database = Database(database_url_for_tests("OUTBOX_TEST_DATABASE_URL", tmp_path, "docs"))
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
        await conn.run_sync(metadata.create_all)
    app = App(database)
    yield app
    await app.store.close()
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
    await database.dispose()


@pytest.fixture
async def client(service: App) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=service.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit.test") as c:
        yield c


async def test_a_document_is_rendered_once_per_state_and_304_needs_no_rendering(
    service: App, client: httpx.AsyncClient
) -> None:
    await service.write("a", 1)
    first = await client.get("/things/a/b")
    again = await client.get("/things/a/b")
    assert (first.text, again.text, service.renders) == ("a=1", "a=1", 1)
    assert first.headers["etag"] == again.headers["etag"]
    assert first.headers["content-type"].startswith("text/plain")
    unchanged = await client.get("/things/a/b", headers={"If-None-Match": first.headers["etag"]})
    assert (unchanged.status_code, unchanged.content, service.renders) == (304, b"", 1)


async def test_a_read_after_a_write_to_any_of_its_scopes_sees_the_write(
    service: App, client: httpx.AsyncClient
) -> None:
    await service.write("a", 1)
    old = await client.get("/things/a/b")
    await service.write("b", 2)
    assert (await client.get("/things/a/b")).text == "a=1,b=2"
    await service.write("a", 3)
    new = await client.get("/things/a/b", headers={"If-None-Match": old.headers["etag"]})
    assert (new.status_code, new.text) == (200, "a=3,b=2")
    assert new.headers["etag"] != old.headers["etag"]
    await service.write("c", 9)  # another scope: the stored rendering stays current
    renders = service.renders
    assert (await client.get("/things/a/b")).text == "a=3,b=2"
    assert service.renders == renders


async def test_a_worker_that_kept_a_document_sees_a_write_made_through_another(
    service: App, client: httpx.AsyncClient
) -> None:
    """Two stores on one database are two workers (or pods): the second keeps what it served,
    and still serves the write the first acknowledged on its very next read."""
    other = App(service.database)
    try:
        transport = httpx.ASGITransport(app=other.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kit.test") as second:
            await service.write("a", 1)
            assert (await client.get("/things/a/b")).text == "a=1"  # rendered and stored
            assert (await second.get("/things/a/b")).text == "a=1"
            assert (await second.get("/things/a/b")).text == "a=1"
            assert other.renders == 0  # it found the stored rendering, then kept it
            await service.write("a", 2)  # through the other worker's use case
            assert (await second.get("/things/a/b")).text == "a=2"
            await other.write("b", 5)
            assert (await client.get("/things/a/b")).text == "a=2,b=5"
    finally:
        await other.store.close()


def test_the_kept_documents_are_bounded_in_number_and_bytes() -> None:
    cache = ValidatedCache(max_entries=3, max_bytes=40)
    for name in "abcd":
        cache.put((name, ""), _Kept(1, name, "text/plain", b"x" * 5))
    assert cache.get(("a", "")) is None and cache.get(("d", "")) is not None  # oldest out
    cache.put(("big", ""), _Kept(1, "big", "text/plain", b"x" * 11))  # over a quarter: not kept
    assert cache.get(("big", "")) is None
    cache.get(("b", ""))  # used, so it outlives c
    cache.put(("e", ""), _Kept(1, "e", "text/plain", b"x" * 10))
    assert cache.get(("c", "")) is None and cache.get(("b", "")) is not None
    for name in "fgh":
        cache.put((name, ""), _Kept(1, name, "text/plain", b"x" * 10))
    assert sum(len(cache.get((n, "")).body) for n in "fgh") == 30  # type: ignore[union-attr]


async def test_variants_and_paths_are_stored_apart(service: App, client: httpx.AsyncClient) -> None:
    await service.write("a", 1)
    await client.get("/things/a/b", headers={"x-variant": "peer-etag-1"})
    await client.get("/things/a/b", headers={"x-variant": "peer-etag-2"})
    await client.get("/things/a/b", headers={"x-variant": "peer-etag-2"})
    assert service.renders == 2
    assert (await client.get("/things/b/a")).text == "a=1"
    assert service.renders == 3


async def test_tracked_sessions_bump_the_service_counter_on_every_committed_write(
    tmp_path: Path,
) -> None:
    engine = create_engine(database_url_for_tests("OUTBOX_TEST_DATABASE_URL", tmp_path, "track"))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
        await conn.run_sync(metadata.create_all)
    sessions = tracked_sessions(engine, TABLES)

    async def version() -> int:
        async with sessions() as s:
            found = await s.scalar(
                select(TABLES.counters.c.version).where(TABLES.counters.c.scope == SERVICE_SCOPE)
            )
            return found or 0

    try:
        async with sessions() as s:  # a Core insert
            await s.execute(things.insert().values(scope="a", value=1))
            await s.commit()
        assert await version() == 1
        async with sessions() as s:  # a read, committed: nothing changed
            await s.execute(select(things))
            await s.commit()
        async with sessions() as s:  # a write rolled back: nothing changed
            await s.execute(update(things).values(value=2))
            await s.rollback()
            await s.commit()
        assert await version() == 1
        async with sessions() as s:  # the stored document's own write is not a change
            await s.execute(TABLES.counters.delete().where(TABLES.counters.c.scope == "x"))
            await s.commit()
        assert await version() == 1
        async with sessions() as s:  # an update
            await s.execute(update(things).values(value=3))
            await s.commit()
        assert await version() == 2
        async with sessions() as s:  # hand-written SQL: a read is not a change, a write is
            await s.execute(text("SELECT count(*) FROM document_test_thing"))
            await s.commit()
            assert await version() == 2
            await s.execute(text("INSERT INTO document_test_thing VALUES ('t', 1)"))
            await s.commit()
        assert await version() == 3
    finally:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.drop_all)
        await engine.dispose()


async def test_a_query_string_is_not_a_new_document_and_unstored_ones_render_each_time(
    service: App, client: httpx.AsyncClient
) -> None:
    """Made-up parameters cannot fill the table: the key is the path (and the variant)."""
    await service.write("a", 1)
    for n in range(3):
        assert (await client.get(f"/things/a/b?made-up={n}")).text == "a=1"
    assert service.renders == 1
    async with service.database.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(TABLES.documents)) == 1
    for _ in range(2):
        unstored = await client.get("/things/c/d", headers={"x-store": "no"})
        assert unstored.status_code == 200 and unstored.headers["etag"]
    assert service.renders == 3


async def test_a_database_replaced_under_the_process_is_not_answered_from_the_old_one(
    service: App, client: httpx.AsyncClient
) -> None:
    """A restore or a fresh database can bring the counters back to a sum the process has
    seen: the kept rendering also names the stored row, so the old bytes are not served."""
    await service.write("a", 1)
    assert (await client.get("/things/a/b")).text == "a=1"
    async with service.database.engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
        await conn.run_sync(metadata.create_all)
    await service.write("a", 5)  # the counters sum to 1 again
    assert (await client.get("/things/a/b")).text == "a=5"
