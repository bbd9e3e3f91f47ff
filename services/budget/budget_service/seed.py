"""Load a budget data file (seed_data/*.json) through the same use cases the API runs.
Loading twice changes nothing; a budget edited since is left as it is."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from budget_service.rules.content import content_of, with_explicit_income
from budget_service.rules.document import version_etag
from budget_service.schemas import BoardIn, BudgetIn, MunicipalityIn, VersionContentIn
from budget_service.use_cases.budgets import create_budget
from budget_service.use_cases.lookups import BudgetKey, find_budget, find_version
from budget_service.use_cases.municipalities import put_board, put_municipality
from budget_service.use_cases.versions import replace_content
from budget_service.vocabulary import Phase
from municipal_shared.kit.database import Database
from municipal_shared.kit.problems import NotFound

ACTOR = "seed-loader"


def bundled_files() -> list[Path]:
    folder = resources.files("budget_service") / "seed_data"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".json"))


async def load_file(session: AsyncSession, path: Path) -> str:
    data: dict[str, Any] = json.loads(await anyio.Path(path).read_text(encoding="utf-8"))
    reason = f"Seed from {path.name}"
    municipality, board, meta = data["municipality"], data["board"], data["budget"]
    await put_municipality(
        session,
        ACTOR,
        municipality["code"],
        MunicipalityIn(name=municipality["name"], reason=reason),
        None,
        rename=False,
    )
    await put_board(
        session,
        ACTOR,
        municipality["code"],
        board["code"],
        BoardIn(name=board["name"], reason=reason),
        None,
        rename=False,
    )
    key = BudgetKey(municipality["code"], board["code"], meta["budget_year"])
    content = VersionContentIn.model_validate(data["content"])
    wanted = with_explicit_income(
        content.model_dump(mode="json", exclude={"reason", "control_totals"})
    )
    try:
        budget = await find_budget(session, key)
    except NotFound:
        body = BudgetIn(
            municipality_code=key.municipality_code,
            board_code=key.board_code,
            budget_year=key.budget_year,
            plan_year_count=meta["plan_year_count"],
            title=meta["title"],
            reason=reason,
        )
        await create_budget(session, ACTOR, body, first_phase=Phase(data["version"]["phase"]))
        budget = await find_budget(session, key)
    first = await find_version(session, budget, 1)
    if content_of(first) == wanted:
        return f"{key}: unchanged"
    if first.directive_lines or first.activity_areas or first.investment_items:
        return f"{key}: version 1 was edited since it was loaded; left as it is"
    await replace_content(session, ACTOR, key, 1, version_etag(first), content)
    return f"{key}: loaded"


async def seed_files(database: Database, files: list[Path]) -> None:
    for path in files or bundled_files():
        async with database.sessions() as session:
            print(await load_file(session, path))
