"""Load a register data file (seed_data/*.json), then the registers' assignments
(seed_data/assignments/*.json), through the same use cases the API runs.
Loading twice changes nothing; a register changed since is only updated where the file
differs, and then only with its ETag, like any client."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import anyio

from indicator_service.repository import registers as register_queries
from indicator_service.schemas import AssignmentsIn, RegisterIn
from indicator_service.use_cases import assignments, registers
from municipal_shared.kit.database import Database

ACTOR = "seed-loader"


def bundled_files() -> list[Path]:
    folder = resources.files("indicator_service") / "seed_data"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".json"))


def bundled_assignment_files() -> list[Path]:
    """A register's assignments (seed_data/assignments/), loaded after the registers."""
    folder = resources.files("indicator_service") / "seed_data" / "assignments"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".json"))


async def load_file(database: Database, path: Path) -> str:
    data = json.loads(await anyio.Path(path).read_text(encoding="utf-8"))
    if "assignments" in data:
        return await _load_assignments(database, AssignmentsIn.model_validate(data))
    body = RegisterIn.model_validate(data)
    async with database.sessions() as session:
        m, b = body.municipality_code, body.board_code
        existing = await register_queries.get_register(session, m, b)
        etag = None if existing is None else registers.register_etag(existing)
        _, what = await registers.load_register(session, ACTOR, m, b, body, etag)
    return f"{body.municipality_code}/{body.board_code}: {what}"


async def _load_assignments(database: Database, body: AssignmentsIn) -> str:
    async with database.sessions() as session:
        m, b = body.municipality_code, body.board_code
        existing = await register_queries.get_register(session, m, b)
        etag = None if existing is None else registers.register_etag(existing)
        out = await assignments.load_assignments(session, ACTOR, m, b, body, etag)
    return f"{m}/{b} assignments: {out.created} created, {out.changed} changed"


async def seed_files(database: Database, files: list[Path]) -> None:
    for path in files or [*bundled_files(), *bundled_assignment_files()]:
        print(await load_file(database, path))
