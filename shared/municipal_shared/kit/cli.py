"""The command line every service has: `python -m <service> migrate | seed [FILE...] | serve`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

import uvicorn

from municipal_shared.kit import migrations
from municipal_shared.kit.database import Database
from municipal_shared.kit.documents import DocumentTables, tracking
from municipal_shared.kit.logging_setup import configure_logging
from municipal_shared.kit.safe_defaults import UnsafeConfiguration, refuse_unsafe_serving
from municipal_shared.kit.settings import AuthSettings, EdgeSettings, ServiceSettings

Seeder = Callable[[Database, list[Path]], Awaitable[None]]
# A service's own command: its help line, and a main taking the arguments after its name.
Command = tuple[str, Callable[[list[str]], int]]


def run(
    prog: str,
    settings: ServiceSettings,
    *,
    script_location: str,
    version_table: str,
    app_factory: str,
    seeder: Seeder | None = None,
    commands: Mapping[str, Command] | None = None,
    documents: DocumentTables | None = None,
    argv: list[str] | None = None,
) -> int:
    parser = argparse.ArgumentParser(prog=prog)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="upgrade the database to the latest schema")
    seed = sub.add_parser("seed", help="load the bundled data files (idempotent)")
    seed.add_argument("files", nargs="*", type=Path)
    sub.add_parser("serve", help="serve the API")
    commands = commands or {}
    for name, (help_text, _) in commands.items():
        sub.add_parser(name, help=help_text)  # listed here, parsed by the command itself
    given = sys.argv[1:] if argv is None else argv
    if given and given[0] in commands:
        return commands[given[0]][1](given[1:])
    args = parser.parse_args(given)
    configure_logging(settings.log_level, EdgeSettings().log_format, prog)
    if args.command == "migrate":
        config = migrations.alembic_config(script_location, settings.database_url, version_table)
        migrations.upgrade(config)
    elif args.command == "seed":
        if seeder is not None:
            asyncio.run(_seed(settings, seeder, args.files, documents))
    else:
        try:
            refuse_unsafe_serving(settings, AuthSettings())
        except UnsafeConfiguration as exc:
            parser.exit(2, f"{prog}: refusing to serve: {exc}\n")
        uvicorn.run(
            app_factory,
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_config=None,
            access_log=False,  # the edge logs each request once, with its route and subject
            # In-flight requests get the grace period after SIGTERM, then are cancelled, so a
            # stalled database cannot outlast the orchestrator's stop timeout.
            timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        )
    return 0


async def _seed(
    settings: ServiceSettings,
    seeder: Seeder,
    files: list[Path],
    documents: DocumentTables | None,
) -> None:
    # A batch job: bounded connect, but no statement timeout (a large seed may take long).
    database = Database(
        settings.database_url,
        connect_timeout=settings.db_connect_timeout_seconds,
        session_factory=tracking(documents),  # seeding is a write like any other
    )
    try:
        await seeder(database, files)
    finally:
        await database.dispose()
