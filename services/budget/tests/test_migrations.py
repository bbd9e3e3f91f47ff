"""Migrations build an empty database and match the models; /readyz checks the head."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from asgi_lifespan import LifespanManager
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from budget_service.main import create_app
from budget_service.models import Base
from budget_service.settings import SCRIPT_LOCATION, VERSION_TABLE, BudgetSettings
from municipal_shared.kit import migrations


async def _fresh_postgres_database(url: str) -> str:
    base = make_url(url)
    name = f"{base.database}_empty"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
async def empty_url(tmp_path: Path) -> str:
    """An empty database of the backend under test (PostgreSQL in CI, else SQLite)."""
    url = os.environ.get("BUDGET_TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        return await _fresh_postgres_database(url)
    return f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"


def _schema_report(conn: Connection) -> tuple[set[str], str | None, list]:
    context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
    return (
        set(inspect(conn).get_table_names()),
        context.get_current_revision(),
        compare_metadata(context, Base.metadata),
    )


async def test_upgrade_builds_an_empty_database_that_matches_the_models(empty_url: str) -> None:
    config = migrations.alembic_config(SCRIPT_LOCATION, empty_url, VERSION_TABLE)
    await asyncio.to_thread(migrations.upgrade, config)
    engine = create_async_engine(empty_url)
    async with engine.connect() as conn:
        tables, revision, differences = await conn.run_sync(_schema_report)
    assert set(Base.metadata.tables) <= tables
    assert revision == migrations.head_revision(config)
    assert differences == []
    await asyncio.to_thread(migrations.downgrade, config, "base")
    async with engine.connect() as conn:
        tables, revision, _ = await conn.run_sync(_schema_report)
    assert tables <= {VERSION_TABLE} and revision is None
    await engine.dispose()


async def test_readyz_fails_until_migrated(empty_url: str) -> None:
    app = create_app(BudgetSettings(database_url=empty_url))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/healthz")).status_code == 200
            r = await client.get("/readyz")
            assert r.status_code == 503 and "migrat" in r.json()["detail"]
            config = migrations.alembic_config(SCRIPT_LOCATION, empty_url, VERSION_TABLE)
            await asyncio.to_thread(migrations.upgrade, config)
            assert (await client.get("/readyz")).json()["status"] == "ready"
