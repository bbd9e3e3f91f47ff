"""Alembic, driven from code so an installed service migrates without a checkout. Each service
keeps its own history and version table in its own database."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, TypeDecorator, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from municipal_shared.kit.database import ensure_sqlite_folder


def alembic_config(script_location: str, database_url: str, version_table: str) -> Config:
    config = Config()
    config.set_main_option("script_location", script_location)
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["version_table"] = version_table
    return config


def upgrade(config: Config, revision: str = "head") -> None:
    ensure_sqlite_folder(config.get_main_option("sqlalchemy.url") or "")
    command.upgrade(config, revision)


def downgrade(config: Config, revision: str = "base") -> None:
    command.downgrade(config, revision)


def head_revision(config: Config) -> str | None:
    return ScriptDirectory.from_config(config).get_current_head()


async def current_revision(engine: AsyncEngine, version_table: str) -> str | None:
    def read(conn: Connection) -> str | None:
        ctx = MigrationContext.configure(conn, opts={"version_table": version_table})
        return ctx.get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(read)


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Render a TypeDecorator (e.g. UTCDateTime) as its plain SQLAlchemy type, so migration
    files never import application code."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def run_env(target_metadata: MetaData, default_version_table: str) -> None:
    """The body of every service's migrations/env.py."""
    config = context.config
    version_table = config.attributes.get("version_table", default_version_table)
    url = config.get_main_option("sqlalchemy.url")
    options: dict[str, Any] = {
        "target_metadata": target_metadata,
        "version_table": version_table,
        "render_as_batch": True,  # SQLite alters tables by copy
        "compare_type": True,
        "render_item": _render_item,
    }
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return

    def run(connection: Connection) -> None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        assert url is not None  # the kit's alembic config always sets sqlalchemy.url
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.begin() as conn:
            await conn.run_sync(run)
        await engine.dispose()

    asyncio.run(main())
