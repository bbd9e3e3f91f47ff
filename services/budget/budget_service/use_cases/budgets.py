"""Budgets: listing them, reading one (its head version), creating one for a registered board
with a first draft version, and reading its audit log."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from budget_service.models import AuditEntry, Budget, BudgetVersion
from budget_service.repository.audit import budget_audit_query
from budget_service.repository.budgets import budgets_query, get_budget, head_versions
from budget_service.repository.municipalities import get_board, get_municipality
from budget_service.repository.versions import head_version
from budget_service.rules.document import list_item
from budget_service.schemas import BudgetIn
from budget_service.schemas_out import AuditEntryOut, BudgetDocument, BudgetListItem
from budget_service.use_cases.documents import document_of
from budget_service.use_cases.lookups import BudgetKey, find_budget
from budget_service.use_cases.results import Tagged
from budget_service.vocabulary import Phase
from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.database import commit
from municipal_shared.kit.pagination import Page, PageParams, fetch_page
from municipal_shared.kit.problems import Conflict, InvalidContent


async def list_budgets(
    session: AsyncSession,
    page: PageParams,
    municipality_code: str | None,
    board_code: str | None,
    budget_year: int | None,
) -> Page[BudgetListItem]:
    query = budgets_query(municipality_code, board_code, budget_year)
    budgets, total = await fetch_page(session, query, page)
    heads = await head_versions(session, [b.id for b in budgets])
    return page.of([list_item(b, heads[b.id]) for b in budgets], total)


async def show_budget(session: AsyncSession, key: BudgetKey) -> Tagged[BudgetDocument]:
    """The budget's current (head) version."""
    budget = await find_budget(session, key)
    return await document_of(session, budget, await head_version(session, budget.id))


async def create_budget(
    session: AsyncSession, actor: str, body: BudgetIn, first_phase: Phase = Phase.DIRECTIVE
) -> Tagged[BudgetDocument]:
    board = await get_board(session, body.municipality_code, body.board_code)
    if board is None:
        if await get_municipality(session, body.municipality_code) is None:
            raise InvalidContent(
                f"Municipality {body.municipality_code} is not registered",
                field="/municipality_code",
            )
        raise InvalidContent(
            f"Board {body.board_code} is not registered in {body.municipality_code}",
            field="/board_code",
        )
    key = BudgetKey(body.municipality_code, body.board_code, body.budget_year)
    if await get_budget(session, key.municipality_code, key.board_code, key.budget_year):
        raise Conflict(f"Budget {key} exists already", href=f"/v1/budgets/{key}")
    budget = Budget(
        board_id=board.id,
        budget_year=body.budget_year,
        plan_year_count=body.plan_year_count,
        title=body.title,
    )
    session.add(budget)
    await session.flush()
    session.add(BudgetVersion(budget_id=budget.id, number=1, phase=first_phase, status="draft"))
    record_audit(
        session,
        AuditEntry,
        actor=actor,
        action="budget.created",
        target=str(key),
        reason=body.reason,
        changes=[{"path": "/title", "old": None, "new": body.title}],
        budget_id=budget.id,
        version_number=1,
    )
    await commit(session)
    budget = await find_budget(session, key)
    return await document_of(session, budget, await head_version(session, budget.id))


async def list_budget_audit(
    session: AsyncSession, key: BudgetKey, page: PageParams
) -> Page[AuditEntryOut]:
    budget = await find_budget(session, key)
    rows, total = await fetch_page(session, budget_audit_query(budget.id), page)
    return page.of([AuditEntryOut.model_validate(row) for row in rows], total)
