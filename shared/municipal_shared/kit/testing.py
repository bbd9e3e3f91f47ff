"""Assertions the services' test suites share (imported by tests only; asgi-lifespan is a
development dependency)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from municipal_shared.kit import migrations


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
    """/healthz answers at once; /readyz only once the database is at the migration head."""
    config = migrations.alembic_config(script_location, database_url, version_table)
    await asyncio.to_thread(migrations.downgrade, config, "base")
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
