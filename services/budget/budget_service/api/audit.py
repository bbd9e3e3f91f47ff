"""The audit log of a budget: who changed what, when and why."""

from __future__ import annotations

from budget_service.api.deps import BUDGET, AuditReader, Key, Session
from budget_service.schemas_out import AuditEntryOut
from budget_service.use_cases import budgets
from municipal_shared.kit.pagination import Page, Pagination
from municipal_shared.kit.problems import problem_responses
from municipal_shared.kit.routing import service_router

router = service_router(tags=["audit"])


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
    """Every change of the budget, oldest first: actor (the token's subject), time, action, reason
    and the changed fields with their old and new values. Never public: needs `budget:read`."""
    return await budgets.list_budget_audit(session, key, page)
