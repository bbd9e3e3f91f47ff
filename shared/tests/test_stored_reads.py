"""Stored public documents answered before routing (kit/stored_reads.py): only what a route
served without credentials or query string, only while the counters stand still, and never
to a request that brings a token, a query or an Accept of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, HTTPException, Request, Response
from sqlalchemy import Column, MetaData, String, Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.kit.conditional import ConditionalGetMiddleware
from municipal_shared.kit.database import NAMING_CONVENTION, Database
from municipal_shared.kit.document_store import DocumentStore
from municipal_shared.kit.documents import Rendered, document_tables, touch
from municipal_shared.kit.stored_reads import StoredReadsMiddleware
from municipal_shared.kit.testing import database_url_for_tests

metadata = MetaData(naming_convention=NAMING_CONVENTION)
notes = Table(
    "stored_reads_note",
    metadata,
    Column("name", String(20), primary_key=True),
    Column("text", String(200), nullable=False),
)
TABLES = document_tables(metadata)


class Service:
    """One route that is public unless `private`, as read_access does with the read scope."""

    def __init__(self, database: Database, *, private: bool = False) -> None:
        self.database = database
        self.routed = 0
        self.app = FastAPI()
        self.app.state.documents = DocumentStore(database, TABLES)
        self.app.add_middleware(StoredReadsMiddleware)
        self.app.add_middleware(ConditionalGetMiddleware)

        @self.app.get("/notes/{name}")
        async def read(name: str, request: Request) -> Response:
            self.routed += 1
            if private and "authorization" not in request.headers:
                raise HTTPException(401)

            async def render(s: AsyncSession) -> Rendered:
                text = await s.scalar(select(notes.c.text).where(notes.c.name == name))
                if text is None:
                    raise HTTPException(404)
                return Rendered(f'{{"text": "{text}"}}'.encode())

            store: DocumentStore = request.app.state.documents
            return await store.serve(request, render, scopes=["notes"])

    async def write(self, name: str, text: str | None) -> None:
        async with self.database.sessions() as s:
            if text is None:
                await s.execute(notes.delete().where(notes.c.name == name))
            elif (
                await s.execute(update(notes).where(notes.c.name == name).values(text=text))
            ).rowcount == 0:  # type: ignore[attr-defined]  # CursorResult of an UPDATE
                await s.execute(notes.insert().values(name=name, text=text))
            await touch(s, TABLES, "notes")
            await s.commit()


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(database_url_for_tests("OUTBOX_TEST_DATABASE_URL", tmp_path, "reads"))
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
        await conn.run_sync(metadata.create_all)
    yield database
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
    await database.dispose()


def client(service: Service) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=service.app)
    return httpx.AsyncClient(transport=transport, base_url="http://kit.test")


async def test_a_public_document_is_answered_before_its_route_until_a_write(
    database: Database,
) -> None:
    service, other_worker = Service(database), Service(database)
    try:
        async with client(service) as c:
            await service.write("a", "one")
            first = await c.get("/notes/a")
            assert (first.json(), service.routed) == ({"text": "one"}, 1)
            again = await c.get("/notes/a")
            assert (again.content, again.headers["etag"], service.routed) == (
                first.content,
                first.headers["etag"],
                1,
            )
            assert again.headers["content-type"] == "application/json"
            unchanged = await c.get("/notes/a", headers={"If-None-Match": first.headers["etag"]})
            assert (unchanged.status_code, unchanged.content, service.routed) == (304, b"", 1)
            head = await c.head("/notes/a")
            assert (head.status_code, head.content, service.routed) == (200, b"", 1)
            await other_worker.write("a", "two")  # acknowledged by another worker
            assert (await c.get("/notes/a")).json() == {"text": "two"}
            assert service.routed == 2
            await other_worker.write("a", None)
            assert (await c.get("/notes/a")).status_code == 404  # the route, not the old bytes
    finally:
        await service.app.state.documents.close()
        await other_worker.app.state.documents.close()


async def test_a_token_a_query_or_a_negotiating_accept_goes_to_the_route(
    database: Database,
) -> None:
    service = Service(database)
    try:
        async with client(service) as c:
            await service.write("a", "one")
            await c.get("/notes/a")
            routed = service.routed
            await c.get("/notes/a", headers={"Authorization": "Bearer x"})
            await c.get("/notes/a?x=1")
            await c.get("/notes/a", headers={"Accept": "text/html"})
            assert service.routed == routed + 3
            await c.get("/notes/a", headers={"Accept": "application/json"})
            await c.get("/notes/a", headers={"Accept": "*/*"})
            assert service.routed == routed + 3
    finally:
        await service.app.state.documents.close()


async def test_a_document_its_route_keeps_private_is_never_answered_without_a_token(
    database: Database,
) -> None:
    service = Service(database, private=True)
    try:
        async with client(service) as c:
            await service.write("a", "one")
            with_token = await c.get("/notes/a", headers={"Authorization": "Bearer x"})
            assert with_token.status_code == 200
            assert (await c.get("/notes/a")).status_code == 401
            assert (await c.get("/notes/a")).status_code == 401
    finally:
        await service.app.state.documents.close()
