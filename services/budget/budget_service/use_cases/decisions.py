"""Recording the decision (deciding body, date, paragraph) that locks a version. The same
decision recorded again is a replay and changes nothing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from budget_service.models import AuditEntry
from budget_service.rules.document import version_etag
from budget_service.rules.versions import ensure_editable
from budget_service.schemas import DecisionIn
from budget_service.schemas_out import BudgetDocument
from budget_service.use_cases.documents import document_of
from budget_service.use_cases.editing import locked_version
from budget_service.use_cases.lookups import BudgetKey, find_version
from budget_service.use_cases.results import Tagged
from budget_service.vocabulary import VersionStatus
from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.concurrency import check_if_match
from municipal_shared.kit.database import commit, utc_now


async def decide(
    session: AsyncSession,
    actor: str,
    key: BudgetKey,
    number: int,
    if_match: str | None,
    body: DecisionIn,
) -> Tagged[BudgetDocument]:
    budget, version = await locked_version(session, key, number)
    recorded = (version.decided_by, version.decision_date, version.decision_paragraph)
    if version.status == VersionStatus.DECIDED and recorded == (
        body.decided_by,
        body.decision_date,
        body.paragraph,
    ):
        return await document_of(session, budget, version)  # a replay: nothing to do
    ensure_editable(version.number, version.status)
    check_if_match(if_match, version_etag(version))
    version.status = VersionStatus.DECIDED
    version.decided_by = body.decided_by
    version.decision_date = body.decision_date
    version.decision_paragraph = body.paragraph
    version.decision_recorded_by = actor
    version.updated_at = utc_now()
    record_audit(
        session,
        AuditEntry,
        actor=actor,
        action="version.decided",
        target=f"{key}/versions/{number}",
        reason=body.reason,
        changes=[
            {"path": "/status", "old": "draft", "new": "decided"},
            {
                "path": "/decision",
                "old": None,
                "new": body.model_dump(mode="json", exclude={"reason"}),
            },
        ],
        budget_id=budget.id,
        version_number=number,
    )
    await commit(session)
    return await document_of(session, budget, await find_version(session, budget, number))
