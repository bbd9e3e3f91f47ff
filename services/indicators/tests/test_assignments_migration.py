"""Migration 0007 adds the assignment tables and drops the reports stored before it: their
shape lacks the assignments section, and the counters alone would serve them again."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from indicator_service.settings import SCRIPT_LOCATION, VERSION_TABLE
from municipal_shared.kit import migrations
from municipal_shared.kit.testing import empty_database_url


@pytest.fixture
async def empty_url(tmp_path: Path) -> str:
    return await empty_database_url("INDICATORS_TEST_DATABASE_URL", tmp_path, "indicators")


async def test_0007_drops_stored_reports_and_refuses_a_delay_without_reason(
    empty_url: str,
) -> None:
    config = migrations.alembic_config(SCRIPT_LOCATION, empty_url, VERSION_TABLE)
    await asyncio.to_thread(migrations.upgrade, config, "0006")
    engine = create_async_engine(empty_url)
    at = dt.datetime(2018, 9, 1, tzinfo=dt.UTC)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO stored_document (path, variant, counter_sum, etag, media_type,"
                " body, stored_at) VALUES ('/v1/registers/0580/KS/reports/2018/T2', '', 7,"
                " '\"r7\"', 'application/json', :body, :at)"
            ),
            {"body": b"{}", "at": at},
        )
        await conn.execute(
            text(
                "INSERT INTO register (id, municipality_code, board_code, name, first_year,"
                " last_year, row_version, updated_at) VALUES"
                " (1, '0580', 'KS', 'KS', 2015, 2021, 1, :at)"
            ),
            {"at": at},
        )
    await asyncio.to_thread(migrations.upgrade, config)
    async with engine.begin() as conn:
        stored = (await conn.execute(text("SELECT count(*) FROM stored_document"))).scalar_one()
        await conn.execute(
            text(
                "INSERT INTO assignment (id, register_id, position, code, title, answer,"
                " issued_by, addressed_to, figures) VALUES"
                " (1, 1, 1, 'bredband', 'Att säkerställa', '[]', 'council', 'this_board', '[]')"
            )
        )
    assert stored == 0
    insert = text(
        "INSERT INTO assignment_follow_up (assignment_id, register_id, period, year, tertial,"
        " status, status_reason, recorded_at, recorded_by) VALUES"
        " (1, 1, '2018-T2', 2018, 'T2', :status, :reason, :at, 'test')"
    )
    with pytest.raises(IntegrityError):  # the database holds the rule too
        async with engine.begin() as conn:
            await conn.execute(insert, {"status": "delayed", "reason": None, "at": at})
    async with engine.begin() as conn:
        await conn.execute(insert, {"status": "delayed", "reason": "Försenat", "at": at})
    await engine.dispose()
    await asyncio.to_thread(migrations.downgrade, config, "base")
