"""Assertions the services' test suites share (imported by tests only; asgi-lifespan is a
development dependency)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import httpx
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import MetaData, delete, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from municipal_shared.kit import migrations
from municipal_shared.kit.auth import issue_development_token
from municipal_shared.kit.settings import AuthSettings


def assert_problem(
    response: httpx.Response, status: int, pointer: str | None = None
) -> dict[str, Any]:
    """The response is RFC 9457 problem+json with `status`, naming `pointer` when given."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["type"] and body["title"]
    if pointer is not None:
        pointers = [e["pointer"] for e in body.get("errors", [])]
        assert pointer in pointers, pointers
    return body


def database_url_for_tests(env_var: str, tmp_folder: Path, name: str) -> str:
    """PostgreSQL from `env_var` when CI sets it, else a SQLite file in `tmp_folder`."""
    return os.environ.get(env_var) or f"sqlite+aiosqlite:///{tmp_folder / name}.db"


async def assert_ready_after_migration(
    app: FastAPI, script_location: str, database_url: str, version_table: str
) -> None:
    """On an empty database /healthz answers at once, /readyz only once it is migrated."""
    config = migrations.alembic_config(script_location, database_url, version_table)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service.test") as client:
            assert (await client.get("/healthz")).json() == {"status": "ok"} | {
                k: None for k in ("detail", "revision", "expected_revision")
            }
            not_ready = await client.get("/readyz")
            assert not_ready.status_code == 503, not_ready.text
            await asyncio.to_thread(migrations.upgrade, config)
            ready = await client.get("/readyz")
            assert ready.status_code == 200 and ready.json()["status"] == "ready"
            spec = (await client.get("/openapi.json")).json()
            assert {"healthz", "readyz"} <= {
                op["operationId"] for item in spec["paths"].values() for op in item.values()
            }


async def empty_database_url(env_var: str, tmp_folder: Path, name: str) -> str:
    """A new, empty database of the backend under test: on PostgreSQL (when `env_var` names
    one) a fresh `<database>_empty` beside it, else a SQLite file in `tmp_folder`."""
    url = os.environ.get(env_var, "")
    if not url.startswith("postgresql"):
        return f"sqlite+aiosqlite:///{tmp_folder / name}-empty.db"
    base = make_url(url)
    empty = f"{base.database}_empty"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{empty}"'))
    await admin.dispose()
    return base.set(database=empty).render_as_string(hide_password=False)


async def assert_migrations_build_the_models(
    url: str, script_location: str, version_table: str, metadata: MetaData
) -> None:
    """Upgrading an empty database yields exactly the models; downgrading empties it again."""

    def report(conn: Connection) -> tuple[set[str], str | None, list[Any]]:
        context = MigrationContext.configure(conn, opts={"version_table": version_table})
        return (
            set(inspect(conn).get_table_names()),
            context.get_current_revision(),
            compare_metadata(context, metadata),
        )

    config = migrations.alembic_config(script_location, url, version_table)
    await asyncio.to_thread(migrations.upgrade, config)
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        tables, revision, differences = await conn.run_sync(report)
    assert set(metadata.tables) <= tables
    assert revision == migrations.head_revision(config)
    assert differences == []
    await asyncio.to_thread(migrations.downgrade, config, "base")
    async with engine.connect() as conn:
        tables, revision, _ = await conn.run_sync(report)
    assert tables <= {version_table} and revision is None
    await engine.dispose()


def migrated_database(
    env_var: str, tmp_folder: Path, name: str, script_location: str, version_table: str
) -> str:
    """A database at the migration head, built from empty (downgraded first when reused)."""
    url = database_url_for_tests(env_var, tmp_folder, name)
    config = migrations.alembic_config(script_location, url, version_table)
    migrations.downgrade(config, "base")
    migrations.upgrade(config)
    return url


async def wipe(engine: AsyncEngine, metadata: MetaData) -> None:
    """Empty every table, children first, so each test starts from nothing."""
    async with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            await conn.execute(delete(table))


def bearer(settings: AuthSettings, scopes: str, subject: str) -> dict[str, str]:
    token = issue_development_token(settings, scopes.split(), subject)
    return {"Authorization": f"Bearer {token}"}


def _has_example(node: object, schemas: dict[str, Any], depth: int = 0) -> bool:
    if depth > 4:
        return False
    if isinstance(node, dict):
        if "example" in node or "examples" in node:
            return True
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return _has_example(schemas.get(name, {}), schemas, depth + 1)
        return any(_has_example(v, schemas, depth) for v in node.values())
    if isinstance(node, list):
        return any(_has_example(v, schemas, depth) for v in node)
    return False


def assert_openapi_complete(spec: dict[str, Any], write_with_if_match: set[str]) -> int:
    """Every operation has an id, a tag, a summary, an example and its problem responses;
    the operations named in `write_with_if_match` document If-Match and 409/412/428.
    Returns the number of operations."""
    schemas = spec["components"]["schemas"]
    assert "Problem" in schemas
    operations = [
        (path, method, op) for path, item in spec["paths"].items() for method, op in item.items()
    ]
    ids = [op["operationId"] for _, _, op in operations]
    assert len(set(ids)) == len(ids), "operation ids must be unique"
    for path, method, op in operations:
        where = f"{method.upper()} {path}"
        assert op.get("summary") and op.get("tags"), where
        assert _has_example(op, schemas), f"{where} has no example"
        problems = {
            status
            for status, response in op["responses"].items()
            if "application/problem+json" in response.get("content", {})
        }
        if path not in ("/healthz", "/readyz"):
            assert "500" in problems and any(s.startswith("4") for s in problems), where
        if op["operationId"] in write_with_if_match:
            assert {"409", "412", "428"} <= problems, where
            assert any(p["name"] == "if-match" for p in op.get("parameters", [])), where
    missing = write_with_if_match - set(ids)
    assert not missing, f"no such operations: {missing}"
    return len(operations)
