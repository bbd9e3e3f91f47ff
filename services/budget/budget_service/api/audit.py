"""The audit log of a budget: who changed what, when and why."""

from __future__ import annotations

from fastapi import APIRouter

from budget_service import repository as repo
from budget_service import service
from budget_service.api.deps import BUDGET, AuditReader, Key, Session
from budget_service.schemas import AuditEntryOut
from municipal_shared.kit.pagination import Page, Pagination, fetch_page
from municipal_shared.kit.problems import problem_responses

router = APIRouter(tags=["audit"])


@router.get(
    BUDGET + "/audit",
    operation_id="listAuditEntries",
    summary="Every change of the budget, oldest first, with actor, time, reason and diff",
    response_model=Page[AuditEntryOut],
    responses=problem_responses(401, 403, 404, 422),
)
async def list_audit(
    key: Key, session: Session, _: AuditReader, page: Pagination
) -> Page[AuditEntryOut]:
    budget = await service.find_budget(session, key)
    rows, total = await fetch_page(session, repo.audit_query(budget.id), page)
    items = [AuditEntryOut.model_validate(row, from_attributes=True) for row in rows]
    return page.of(items, total)
