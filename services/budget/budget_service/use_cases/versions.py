"""A budget's versions: listing and reading them, starting the next phase or a revision from
the decided head, replacing a draft's content, and discarding the latest draft."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from budget_service.models import AuditEntry, BudgetVersion
from budget_service.repository.contents import fill_version
from budget_service.repository.versions import head_version, supersessions, versions_query
from budget_service.rules.changes import changes_between
from budget_service.rules.content import content_of, with_explicit_income
from budget_service.rules.document import version_etag, version_out
from budget_service.rules.versions import discard_allowed, ensure_editable, successor_kind
from budget_service.schemas import NewVersionIn, VersionContentIn
from budget_service.schemas_out import BudgetDocument, VersionOut
from budget_service.use_cases.documents import document_of
from budget_service.use_cases.editing import (
    check_totals,
    editable_version,
    locked_version,
    validate_content,
)
from budget_service.use_cases.lookups import BudgetKey, find_budget, find_version
from budget_service.use_cases.results import Tagged
from budget_service.vocabulary import Phase, VersionStatus
from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.concurrency import check_if_match
from municipal_shared.kit.database import commit
from municipal_shared.kit.pagination import Page, PageParams, fetch_page


async def list_versions(
    session: AsyncSession, key: BudgetKey, page: PageParams
) -> Page[VersionOut]:
    budget = await find_budget(session, key)
    versions, total = await fetch_page(session, versions_query(budget.id), page)
    successors = await supersessions(session, budget.id)
    return page.of([version_out(v, successors.get(v.number)) for v in versions], total)


async def show_version(
    session: AsyncSession, key: BudgetKey, number: int
) -> Tagged[BudgetDocument]:
    budget = await find_budget(session, key)
    return await document_of(session, budget, await find_version(session, budget, number))


async def create_successor(
    session: AsyncSession, actor: str, key: BudgetKey, body: NewVersionIn
) -> Tagged[BudgetDocument]:
    budget = await find_budget(session, key)
    head = await head_version(session, budget.id)
    kind = successor_kind(head.number, Phase(head.phase), head.status, body.phase)
    successor = BudgetVersion(
        budget_id=budget.id,
        number=head.number + 1,
        phase=body.phase,
        status=VersionStatus.DRAFT,
        based_on_number=head.number,
        supersedes_number=head.number if kind == "revision" else None,
    )
    session.add(successor)
    await fill_version(session, successor, content_of(head))
    record_audit(
        session,
        AuditEntry,
        actor=actor,
        action=f"version.created_as_{kind}",
        target=f"{key}/versions/{successor.number}",
        reason=body.reason,
        changes=[{"path": "/phase", "old": head.phase, "new": body.phase}],
        budget_id=budget.id,
        version_number=successor.number,
    )
    await commit(session)
    version = await find_version(session, budget, successor.number)
    return await document_of(session, budget, version)


async def replace_content(
    session: AsyncSession,
    actor: str,
    key: BudgetKey,
    number: int,
    if_match: str | None,
    body: VersionContentIn,
) -> Tagged[BudgetDocument]:
    budget, version = await locked_version(session, key, number)
    ensure_editable(version.number, version.status)
    new = with_explicit_income(body.model_dump(mode="json", exclude={"reason", "control_totals"}))
    control = body.control_totals.model_dump() if body.control_totals else None
    validate_content({**new, "control_totals": control}, budget.years)
    if content_of(version) == new:
        # A replay of a write that already landed (or a no-op): answer with what is stored.
        await check_totals(session, version, control)
        return await document_of(session, budget, version)
    check_if_match(if_match, version_etag(version))
    before = content_of(version)
    await fill_version(session, version, new)
    await check_totals(session, version, control)
    record_audit(
        session,
        AuditEntry,
        actor=actor,
        action="version.content_replaced",
        target=f"{key}/versions/{number}",
        reason=body.reason,
        changes=changes_between(before, content_of(version)),
        budget_id=budget.id,
        version_number=number,
    )
    await commit(session)
    return await document_of(session, budget, await find_version(session, budget, number))


async def discard_draft(
    session: AsyncSession,
    actor: str,
    key: BudgetKey,
    number: int,
    if_match: str | None,
    reason: str,
) -> None:
    """Only a draft at the head of the chain, never the first version, may be deleted."""
    budget, version = await editable_version(session, key, number, if_match)
    head = await head_version(session, budget.id)
    discard_allowed(version.number, head.number)
    await session.delete(version)
    record_audit(
        session,
        AuditEntry,
        actor=actor,
        action="version.discarded",
        target=f"{key}/versions/{number}",
        reason=reason,
        budget_id=budget.id,
        version_number=number,
    )
    await commit(session)
