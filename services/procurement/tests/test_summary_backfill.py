"""The migration that creates the measurement summary counts the outcomes already stored: a
database with outcomes and a rule of its own, taken back to before the summary and migrated
again, measures exactly as before and as the full scan."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from procurement_testkit import SET
from test_summary_property import assert_summary_is_the_scan

from municipal_shared.kit import migrations
from municipal_shared.kit.pytest_service import ServiceUnderTest
from municipal_shared.kit.settings import AuthSettings
from municipal_shared.kit.testing import empty_database_url
from procurement_service.settings import SCRIPT_LOCATION, VERSION_TABLE

PATHS = [
    f"/v1/measurements/0580/2018/{t}{alone}"
    for t in ("T1", "T2", "T3")
    for alone in ("", "?window=true")
] + ["/v1/measurements/0580?from=2018-02-15&to=2018-08-20"]


@pytest.fixture
async def empty_url(tmp_path: Path) -> str:
    return await empty_database_url("PROCUREMENT_TEST_DATABASE_URL", tmp_path, "procurement")


async def _measurements(client: httpx.AsyncClient) -> list[Any]:
    answers = []
    for path in PATHS:
        for administration in (None, "Kommunledningsförvaltningen"):
            joined = "&" if "?" in path else "?"
            r = await client.get(
                path + (f"{joined}administration={administration}" * bool(administration))
            )
            assert r.status_code == 200, r.text
            answers.append(r.json())
    return answers


async def test_migrate_counts_the_stored_outcomes_into_the_summary(
    empty_url: str,
    service_under_test: ServiceUnderTest,
    auth_settings: AuthSettings,
    token: Callable[..., dict[str, str]],
) -> None:
    config = migrations.alembic_config(SCRIPT_LOCATION, empty_url, VERSION_TABLE)
    await asyncio.to_thread(migrations.upgrade, config)
    app = service_under_test.make_app(empty_url, auth_settings)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://p.test") as client:
            items = [{"reference": ref, **body} for ref, body in SET.items()]
            r = await client.put("/v1/procurements/0580", json={"items": items}, headers=token())
            assert r.status_code == 200, r.text
            rule = {
                "categories": ["services"],
                "more_than_days": 100,
                "min_employees": 1,
                "direct_award_threshold_sek": "200000",
            }
            r = await client.put("/v1/employment-rules/0580", json=rule, headers=token())
            assert r.status_code < 300, r.text
            before = await _measurements(client)
            await app.state.database.engine.dispose()
            await asyncio.to_thread(migrations.downgrade, config, "0005")
            await asyncio.to_thread(migrations.upgrade, config)
            await app.state.database.engine.dispose()  # no statement cached on the old tables
            assert await _measurements(client) == before
            year = (dt.date(2018, 1, 1), dt.date(2018, 12, 31))
            await assert_summary_is_the_scan(app, [(*year, None), (*year, "Okänd")])
    await asyncio.to_thread(migrations.downgrade, config, "base")
