"""Migrations build an empty database (SQLite, or PostgreSQL in CI) that matches the models,
and the service is ready only once its own database is at the head."""

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from indicator_service.main import create_app
from indicator_service.models import AuditEntry, Base
from indicator_service.settings import SCRIPT_LOCATION, VERSION_TABLE, IndicatorSettings
from municipal_shared.kit import migrations
from municipal_shared.kit.testing import (
    assert_migrations_build_the_models,
    assert_ready_after_migration,
    empty_database_url,
)


@pytest.fixture
async def empty_url(tmp_path: Path) -> str:
    return await empty_database_url("INDICATORS_TEST_DATABASE_URL", tmp_path, "indicators")


async def test_upgrade_builds_an_empty_database_that_matches_the_models(empty_url: str) -> None:
    await assert_migrations_build_the_models(
        empty_url, SCRIPT_LOCATION, VERSION_TABLE, Base.metadata
    )


async def test_ready_only_after_migration(empty_url: str) -> None:
    app = create_app(IndicatorSettings(database_url=empty_url))
    await assert_ready_after_migration(app, SCRIPT_LOCATION, empty_url, VERSION_TABLE)


async def test_0004_turns_the_unsourced_default_band_into_no_band(empty_url: str) -> None:
    """A register stored with the old default of 2 (and an indicator band, also unsourced)
    comes out with no band, a new ETag version and an audit entry saying what was removed;
    from then on the database refuses a band without its source."""
    config = migrations.alembic_config(SCRIPT_LOCATION, empty_url, VERSION_TABLE)
    await asyncio.to_thread(migrations.upgrade, config, "0003")
    engine = create_async_engine(empty_url)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO register (id, municipality_code, board_code, name, first_year,"
                " last_year, default_tolerance_percent, row_version, updated_at) VALUES"
                " (1, '0580', 'KS', 'KS', 2015, 2021, 2, 3, :at)"
            ),
            {"at": dt.datetime(2018, 1, 1, tzinfo=dt.UTC)},
        )
        await conn.execute(
            text(
                "INSERT INTO indicator (id, register_id, position, code, name, unit, polarity,"
                " source_kind, update_frequency, tolerance_percent, footnotes) VALUES"
                " (1, 1, 1, 'personalomsattning', 'Personalomsättning', '%', 'lower_is_better',"
                " 'manual', 'annual', 1.5, '[]')"
            )
        )
    await asyncio.to_thread(migrations.upgrade, config)
    async with engine.begin() as conn:
        register = (
            await conn.execute(
                text(
                    "SELECT default_tolerance_percent, default_tolerance_source, row_version"
                    " FROM register"
                )
            )
        ).one()
        band = (await conn.execute(text("SELECT tolerance_percent FROM indicator"))).one()
        audit = (
            await conn.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.changes))
        ).one()
    assert tuple(register) == (None, None, 4)
    assert tuple(band) == (None,)
    assert (audit.actor, audit.action) == ("migration 0004", "register.changed")
    assert audit.changes == [
        {"path": "/default_tolerance_percent", "old": "2", "new": None},
        {"path": "/indicators/personalomsattning/tolerance_percent", "old": "1.5", "new": None},
    ]
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE register SET default_tolerance_percent = 2"))
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE register SET default_tolerance_percent = 2,"
                " default_tolerance_source = 'Kommunstyrelsens beslut 2018-03-06 § 45'"
            )
        )
    await engine.dispose()
    await asyncio.to_thread(migrations.downgrade, config, "base")


async def test_0005_declares_the_rows_procurement_fed_by_code(empty_url: str) -> None:
    """The rows the procurement service fed by their codes are declared fed by its figures,
    with a new ETag version and an audit entry; other rows are fed by nothing."""
    config = migrations.alembic_config(SCRIPT_LOCATION, empty_url, VERSION_TABLE)
    await asyncio.to_thread(migrations.upgrade, config, "0004")
    engine = create_async_engine(empty_url)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO register (id, municipality_code, board_code, name, first_year,"
                " last_year, row_version, updated_at) VALUES"
                " (1, '0580', 'KS', 'KS', 2015, 2021, 3, :at)"
            ),
            {"at": dt.datetime(2018, 1, 1, tzinfo=dt.UTC)},
        )
        for n, (code, kind) in enumerate(
            [("andel-sma-och-medelstora-sme", "service"), ("personalomsattning", "manual")], 1
        ):
            await conn.execute(
                text(
                    "INSERT INTO indicator (id, register_id, position, code, name, unit,"
                    " polarity, source_kind, update_frequency, footnotes) VALUES"
                    " (:n, 1, :n, :code, :code, '%', 'higher_is_better', :kind, 'tertial', '[]')"
                ),
                {"n": n, "code": code, "kind": kind},
            )
    await asyncio.to_thread(migrations.upgrade, config)
    async with engine.begin() as conn:
        fed = dict((await conn.execute(text("SELECT code, fed_by FROM indicator"))).all())
        version = (await conn.execute(text("SELECT row_version FROM register"))).scalar_one()
        audit = (
            await conn.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.changes))
        ).one()
    assert fed == {
        "andel-sma-och-medelstora-sme": "procurement.sme_share_of_bidders_with_known_size",
        "personalomsattning": None,
    }
    assert version == 4
    assert (audit.actor, audit.action) == ("migration 0005", "register.changed")
    assert audit.changes == [
        {
            "path": "/indicators/andel-sma-och-medelstora-sme/fed_by",
            "old": None,
            "new": "procurement.sme_share_of_bidders_with_known_size",
        }
    ]
    await engine.dispose()
    await asyncio.to_thread(migrations.downgrade, config, "base")
