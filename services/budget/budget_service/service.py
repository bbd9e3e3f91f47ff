"""Use cases of the budget service. Each checks its rules, writes, records an audit entry and
commits once; an error anywhere rolls the whole use case back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from budget_service import repository as repo
from budget_service import rules
from budget_service.document import computed_totals, content_of, version_etag
from budget_service.models import (
    ActivityArea,
    AreaBaseAmount,
    AuditEntry,
    Budget,
    BudgetVersion,
    ChangeLine,
    ChangeLineAmount,
    DirectiveLine,
    DirectiveLineAmount,
    InvestmentFrameAmount,
    InvestmentItem,
    InvestmentItemAmount,
)
from budget_service.schemas import (
    BudgetIn,
    DecisionIn,
    NewChangeLineIn,
    NewVersionIn,
    VersionContentIn,
)
from budget_service.vocabulary import Phase, VersionStatus
from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.concurrency import check_if_match
from municipal_shared.kit.database import commit, utc_now
from municipal_shared.kit.problems import Conflict, InvalidContent, NotFound, raise_if


@dataclass(frozen=True)
class BudgetKey:
    municipality_code: str
    board_code: str
    budget_year: int

    def __str__(self) -> str:
        return f"{self.municipality_code}/{self.board_code}/{self.budget_year}"


# ---- budgets and versions --------------------------------------------------------------------


async def find_budget(session: AsyncSession, key: BudgetKey) -> Budget:
    budget = await repo.get_budget(session, key.municipality_code, key.board_code, key.budget_year)
    if budget is not None:
        return budget
    if await repo.get_municipality(session, key.municipality_code) is None:
        raise NotFound(f"Municipality {key.municipality_code} is not registered")
    if await repo.get_board(session, key.municipality_code, key.board_code) is None:
        raise NotFound(f"Board {key.board_code} is not registered in {key.municipality_code}")
    raise NotFound(f"No budget {key}")


async def find_version(session: AsyncSession, budget: Budget, number: int) -> BudgetVersion:
    version = await repo.get_version(session, budget.id, number)
    if version is None:
        raise NotFound(f"Budget has no version {number}")
    return version


async def create_budget(
    session: AsyncSession, actor: str, body: BudgetIn, first_phase: Phase = Phase.DIRECTIVE
) -> Budget:
    board = await repo.get_board(session, body.municipality_code, body.board_code)
    if board is None:
        if await repo.get_municipality(session, body.municipality_code) is None:
            raise InvalidContent(
                f"Municipality {body.municipality_code} is not registered",
                field="/municipality_code",
            )
        raise InvalidContent(
            f"Board {body.board_code} is not registered in {body.municipality_code}",
            field="/board_code",
        )
    key = BudgetKey(body.municipality_code, body.board_code, body.budget_year)
    if await repo.get_budget(session, key.municipality_code, key.board_code, key.budget_year):
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
        budget_id=budget.id,
        version_number=1,
        changes=[{"path": "/title", "old": None, "new": body.title}],
    )
    await commit(session)
    return await find_budget(session, key)


async def _fill(session: AsyncSession, version: BudgetVersion, content: dict[str, Any]) -> None:
    """Replace a version's content with `content` (the VersionContentIn shape). The old rows
    are deleted first: the unit of work would otherwise insert before it deletes and trip the
    unique area codes."""
    version.directive_lines.clear()
    version.activity_areas.clear()
    version.investment_frame.clear()
    version.investment_items.clear()
    if version.id is not None:
        await session.flush()

    def amounts(model: type, values: dict[str, int] | None) -> list[Any]:
        return [model(year=int(y), amount=a) for y, a in sorted((values or {}).items())]

    version.directive_lines = [
        DirectiveLine(
            position=i,
            kind=line["kind"],
            text=line["text"],
            decision_reference=line.get("decision_reference"),
            amounts=amounts(DirectiveLineAmount, line["amounts"]),
        )
        for i, line in enumerate(content.get("directive_lines", []), start=1)
    ]
    version.activity_areas = [
        ActivityArea(
            position=i,
            code=area["code"],
            name=area["name"],
            note=area.get("note"),
            base_amounts=amounts(AreaBaseAmount, area.get("base_amounts")),
            change_lines=[
                ChangeLine(
                    position=j,
                    heading=line["heading"],
                    kind=line["kind"],
                    text=line["text"],
                    decision_reference=line.get("decision_reference"),
                    counterparty=line.get("counterparty"),
                    amounts=amounts(ChangeLineAmount, line["amounts"]),
                )
                for j, line in enumerate(area.get("change_lines", []), start=1)
            ],
        )
        for i, area in enumerate(content.get("activity_areas", []), start=1)
    ]
    investments = content.get("investments") or {}
    version.investment_frame = [
        InvestmentFrameAmount(year=int(y), amount=a)
        for y, a in sorted((investments.get("frame") or {}).items())
    ]
    version.investment_items = [
        InvestmentItem(
            position=i,
            section=item["section"],
            heading=item.get("heading"),
            name=item["name"],
            amounts=[
                InvestmentItemAmount(
                    year=int(y), expenditure=value, income=(item.get("income") or {}).get(y, 0)
                )
                for y, value in sorted(item["expenditure"].items())
            ],
        )
        for i, item in enumerate(investments.get("items", []), start=1)
    ]
    version.updated_at = utc_now()  # also bumps row_version, so the ETag changes


async def _check_totals(
    session: AsyncSession, version: BudgetVersion, control_totals: dict[str, Any] | None
) -> None:
    await session.flush()
    totals = await computed_totals(session, version)
    frame = {str(a.year): a.amount for a in version.investment_frame} or None
    errors = rules.frame_excess_errors(frame, totals["investments_within_frame"])
    errors += rules.control_total_errors(control_totals or {}, totals)
    raise_if(errors, "Totals do not hold")


async def _locked_version(
    session: AsyncSession, key: BudgetKey, number: int
) -> tuple[Budget, BudgetVersion]:
    budget = await find_budget(session, key)
    version = await repo.get_version(session, budget.id, number, for_update=True)
    if version is None:
        raise NotFound(f"Budget has no version {number}")
    return budget, version


async def _editable(
    session: AsyncSession, key: BudgetKey, number: int, if_match: str | None
) -> tuple[Budget, BudgetVersion]:
    budget, version = await _locked_version(session, key, number)
    rules.ensure_editable(version.number, version.status)
    check_if_match(if_match, version_etag(version))
    return budget, version


def validate_content(content: dict[str, Any], years: list[int]) -> None:
    errors = rules.content_year_errors(content, years)
    errors += rules.duplicate_area_errors(a["code"] for a in content.get("activity_areas", []))
    raise_if(errors, "Content does not fit the budget")


async def replace_content(
    session: AsyncSession,
    actor: str,
    key: BudgetKey,
    number: int,
    if_match: str | None,
    body: VersionContentIn,
) -> BudgetVersion:
    budget, version = await _locked_version(session, key, number)
    rules.ensure_editable(version.number, version.status)
    new = rules.with_explicit_income(
        body.model_dump(mode="json", exclude={"reason", "control_totals"})
    )
    control = body.control_totals.model_dump() if body.control_totals else None
    validate_content({**new, "control_totals": control}, budget.years)
    if content_of(version) == new:
        # A replay of a write that already landed (or a no-op): answer with what is stored.
        await _check_totals(session, version, control)
        return version
    check_if_match(if_match, version_etag(version))
    before = content_of(version)
    await _fill(session, version, new)
    await _check_totals(session, version, control)
    record_audit(
        session,
        AuditEntry,
        actor=actor,
        action="version.content_replaced",
        target=f"{key}/versions/{number}",
        reason=body.reason,
        budget_id=budget.id,
        version_number=number,
        changes=rules.changes_between(before, content_of(version)),
    )
    await commit(session)
    return await find_version(session, budget, number)


async def add_change_line(
    session: AsyncSession,
    actor: str,
    key: BudgetKey,
    number: int,
    if_match: str | None,
    body: NewChangeLineIn,
) -> BudgetVersion:
    budget, version = await _editable(session, key, number, if_match)
    area = next((a for a in version.activity_areas if a.code == body.activity_area_code), None)
    if area is None:
        raise InvalidContent(
            f"Version {number} has no activity area {body.activity_area_code}",
            field="/activity_area_code",
        )
    raise_if(rules.year_errors(body.amounts, budget.years, "/amounts"), "Amounts do not fit")
    line = body.model_dump(mode="json", exclude={"activity_area_code", "reason"})
    area.change_lines.append(
        ChangeLine(
            position=max((c.position for c in area.change_lines), default=0) + 1,
            **{k: v for k, v in line.items() if k != "amounts"},
            amounts=[ChangeLineAmount(year=int(y), amount=a) for y, a in line["amounts"].items()],
        )
    )
    version.updated_at = utc_now()
    await _check_totals(session, version, None)
    record_audit(
        session,
        AuditEntry,
        actor=actor,
        action="version.change_line_added",
        target=f"{key}/versions/{number}",
        reason=body.reason,
        budget_id=budget.id,
        version_number=number,
        changes=[{"path": f"/activity_areas/{area.code}/change_lines/-", "old": None, "new": line}],
    )
    await commit(session)
    return await find_version(session, budget, number)


async def delete_change_line(
    session: AsyncSession,
    actor: str,
    key: BudgetKey,
    number: int,
    line_id: int,
    if_match: str | None,
    reason: str,
) -> BudgetVersion:
    budget, version = await _editable(session, key, number, if_match)
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
                budget_id=budget.id,
                version_number=number,
                changes=rules.changes_between(old, content_of(version)),
            )
            await commit(session)
            return await find_version(session, budget, number)
    raise NotFound(f"Version {number} has no change line {line_id}")


async def decide(
    session: AsyncSession,
    actor: str,
    key: BudgetKey,
    number: int,
    if_match: str | None,
    body: DecisionIn,
) -> BudgetVersion:
    budget, version = await _locked_version(session, key, number)
    recorded = (version.decided_by, version.decision_date, version.decision_paragraph)
    if version.status == VersionStatus.DECIDED and recorded == (
        body.decided_by,
        body.decision_date,
        body.paragraph,
    ):
        return version  # the same decision recorded again: a replay, nothing to do
    rules.ensure_editable(version.number, version.status)
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
        budget_id=budget.id,
        version_number=number,
        changes=[
            {"path": "/status", "old": "draft", "new": "decided"},
            {
                "path": "/decision",
                "old": None,
                "new": body.model_dump(mode="json", exclude={"reason"}),
            },
        ],
    )
    await commit(session)
    return await find_version(session, budget, number)


async def create_successor(
    session: AsyncSession, actor: str, key: BudgetKey, body: NewVersionIn
) -> BudgetVersion:
    budget = await find_budget(session, key)
    head = await repo.head_version(session, budget.id)
    kind = rules.successor_kind(head.number, Phase(head.phase), head.status, body.phase)
    successor = BudgetVersion(
        budget_id=budget.id,
        number=head.number + 1,
        phase=body.phase,
        status=VersionStatus.DRAFT,
        based_on_number=head.number,
        supersedes_number=head.number if kind == "revision" else None,
    )
    session.add(successor)
    await _fill(session, successor, content_of(head))
    record_audit(
        session,
        AuditEntry,
        actor=actor,
        action=f"version.created_as_{kind}",
        target=f"{key}/versions/{successor.number}",
        reason=body.reason,
        budget_id=budget.id,
        version_number=successor.number,
        changes=[{"path": "/phase", "old": head.phase, "new": body.phase}],
    )
    await commit(session)
    return await find_version(session, budget, successor.number)


async def discard_draft(
    session: AsyncSession,
    actor: str,
    key: BudgetKey,
    number: int,
    if_match: str | None,
    reason: str,
) -> None:
    """Only a draft at the head of the chain, never the first version, may be deleted."""
    budget, version = await _editable(session, key, number, if_match)
    head = await repo.head_version(session, budget.id)
    if version.number != head.number or version.number == 1:
        raise Conflict(f"Only the latest draft after version 1 can be discarded, not {number}")
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
