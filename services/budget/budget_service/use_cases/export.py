"""The Open Fiscal Data Package of a budget: every version's document, read in a fixed number
of queries (the budget, its versions with their lines one table at a time, the totals of all of
them, the revisions), then turned into the descriptor or the CSV by pure functions."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from budget_service.repository.contents import versions_with_lines
from budget_service.repository.totals import totals_of
from budget_service.repository.versions import supersessions
from budget_service.rules.document import build_document
from budget_service.rules.fiscal_data_package import budget_csv, datapackage
from budget_service.schemas_out import BudgetDocument
from budget_service.use_cases.lookups import BudgetKey, find_budget

MAX_VERSIONS = 200
CSV_PATH = "budget.csv"


async def _documents(session: AsyncSession, key: BudgetKey) -> list[BudgetDocument]:
    budget = await find_budget(session, key)
    versions = await versions_with_lines(session, budget.id, MAX_VERSIONS)
    totals = await totals_of(session, [v.id for v in versions])
    successors = await supersessions(session, budget.id)
    return [build_document(budget, v, totals[v.id], successors.get(v.number)) for v in versions]


async def fiscal_data_package(session: AsyncSession, key: BudgetKey) -> dict[str, Any]:
    """datapackage.json, describing the CSV served beside it."""
    return datapackage(await _documents(session, key), csv_path=CSV_PATH)


async def fiscal_data_csv(session: AsyncSession, key: BudgetKey) -> str:
    return budget_csv(await _documents(session, key))
