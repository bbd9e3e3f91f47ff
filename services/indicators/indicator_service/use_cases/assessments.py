"""Use case of milestone assessments: a person says whether a milestone target was met,
with a motivation. Appended (the newest counts), audited, committed once."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service.models import Assessment, AuditEntry, Register
from indicator_service.rules.target_kinds import KINDS
from indicator_service.schemas import AssessmentIn
from indicator_service.use_cases.indicators import find_indicator
from indicator_service.vocabulary import TargetKind
from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.database import commit
from municipal_shared.kit.problems import InvalidContent


async def assess(
    session: AsyncSession, actor: str, register: Register, code: str, body: AssessmentIn
) -> Assessment:
    indicator = await find_indicator(session, register, code)
    target = next((t for t in indicator.targets if t.year == body.year), None)
    # Only a kind whose rule takes a person's assessment (a milestone) can be assessed.
    if target is None or not KINDS[TargetKind(target.kind)].assessed_by_person:
        raise InvalidContent(f"{code} has no milestone target for {body.year}", field="/year")
    if body.status == "not_assessable":
        raise InvalidContent("An assessment says met, partly_met or not_met", field="/status")
    assessment = Assessment(
        indicator_id=indicator.id,
        year=body.year,
        status=body.status,
        motivation=body.motivation,
        assessed_by=actor,
    )
    session.add(assessment)
    record_audit(
        session,
        AuditEntry,
        register_id=register.id,
        actor=actor,
        action="milestone.assessed",
        target=f"{code}/{body.year}",
        reason=body.reason,
        changes=[
            {
                "path": f"/indicators/{code}/assessments/{body.year}",
                "old": None,
                "new": {"status": str(body.status), "motivation": body.motivation},
            }
        ],
    )
    await commit(session)
    return assessment
