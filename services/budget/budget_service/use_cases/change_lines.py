"""Adding a change line to an activity area of a draft version, and removing one; the totals
must still hold after the change."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from budget_service.models import AuditEntry, ChangeLine, ChangeLineAmount
from budget_service.rules.amounts import year_errors
from budget_service.rules.changes import changes_between
from budget_service.rules.content import content_of
from budget_service.schemas import NewChangeLineIn
from budget_service.schemas_out import BudgetDocument
from budget_service.use_cases.documents import document_of
from budget_service.use_cases.editing import check_totals, editable_version
from budget_service.use_cases.lookups import BudgetKey, find_version
from budget_service.use_cases.results import Tagged
from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.database import commit, utc_now
from municipal_shared.kit.problems import InvalidContent, NotFound, raise_if


async def add_change_line(
    session: AsyncSession,
    actor: str,
    key: BudgetKey,
    number: int,
    if_match: str | None,
    body: NewChangeLineIn,
) -> Tagged[BudgetDocument]:
    budget, version = await editable_version(session, key, number, if_match)
    area = next((a for a in version.activity_areas if a.code == body.activity_area_code), None)
    if area is None:
        raise InvalidContent(
            f"Version {number} has no activity area {body.activity_area_code}",
            field="/activity_area_code",
        )
    raise_if(year_errors(body.amounts, budget.years, "/amounts"), "Amounts do not fit")
    line = body.model_dump(mode="json", exclude={"activity_area_code", "reason"})
    area.change_lines.append(
        ChangeLine(
            position=max((c.position for c in area.change_lines), default=0) + 1,
            **{k: v for k, v in line.items() if k != "amounts"},
            amounts=[ChangeLineAmount(year=int(y), amount=a) for y, a in line["amounts"].items()],
        )
    )
    version.updated_at = utc_now()
    await check_totals(session, version, None)
    record_audit(
        session,
        AuditEntry,
        actor=actor,
        action="version.change_line_added",
        target=f"{key}/versions/{number}",
        reason=body.reason,
        changes=[{"path": f"/activity_areas/{area.code}/change_lines/-", "old": None, "new": line}],
        budget_id=budget.id,
        version_number=number,
    )
    await commit(session)
    version = await find_version(session, budget, number)
    return await document_of(session, budget, version)


async def delete_change_line(
    session: AsyncSession,
    actor: str,
    key: BudgetKey,
    number: int,
    line_id: int,
    if_match: str | None,
    reason: str,
) -> Tagged[BudgetDocument]:
    budget, version = await editable_version(session, key, number, if_match)
    for area in version.activity_areas:
        line = next((c for c in area.change_lines if c.id == line_id), None)
        if line is not None:
            old = content_of(version)
            area.change_lines.remove(line)
            version.updated_at = utc_now()
            record_audit(
                session,
                AuditEntry,
                actor=actor,
                action="version.change_line_deleted",
                target=f"{key}/versions/{number}",
                reason=reason,
                changes=changes_between(old, content_of(version)),
                budget_id=budget.id,
                version_number=number,
            )
            await commit(session)
            return await document_of(session, budget, await find_version(session, budget, number))
    raise NotFound(f"Version {number} has no change line {line_id}")
