"""The budget document of a version as every read and write answers it: the version's lines,
the totals the database sums, the revision that superseded it, and its ETag."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from budget_service.models import Budget, BudgetVersion
from budget_service.repository.totals import totals_of
from budget_service.repository.versions import superseded_by
from budget_service.rules.document import build_document, version_etag
from budget_service.schemas_out import BudgetDocument
from budget_service.use_cases.results import Tagged


async def document_of(
    session: AsyncSession, budget: Budget, version: BudgetVersion
) -> Tagged[BudgetDocument]:
    totals = (await totals_of(session, [version.id]))[version.id]
    successor = await superseded_by(session, budget.id, version.number)
    document = build_document(budget, version, totals, successor)
    return Tagged(document, version_etag(version))
