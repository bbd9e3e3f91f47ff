"""Turning stored rows into the budget document, and a version's content into the plain form
that is copied into a new version and compared for the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from budget_service import repository as repo
from budget_service.models import Budget, BudgetVersion
from budget_service.rules import difference
from budget_service.schemas import (
    ActivityAreaOut,
    BudgetDocument,
    BudgetSummary,
    ChangeLineOut,
    DecisionOut,
    DirectiveLineOut,
    DirectiveOut,
    InvestmentItemOut,
    InvestmentSectionOut,
    InvestmentsOut,
    ProposalOut,
    VersionOut,
)
from budget_service.vocabulary import PHASE_LABELS, InvestmentSection, Phase
from municipal_shared.kit.concurrency import make_etag


def budget_path(budget: Budget) -> str:
    board = budget.board
    return f"/v1/budgets/{board.municipality_code}/{board.code}/{budget.budget_year}"


def version_etag(version: BudgetVersion) -> str:
    return make_etag("version", version.id, version.row_version)


def _years(rows: Any) -> dict[str, int]:
    return {str(r.year): r.amount for r in rows}


def content_of(version: BudgetVersion) -> dict[str, Any]:
    """The version's editable content in the shape of VersionContentIn (without the reason)."""
    return {
        "directive_lines": [
            {
                "kind": line.kind,
                "text": line.text,
                "decision_reference": line.decision_reference,
                "amounts": _years(line.amounts),
            }
            for line in version.directive_lines
        ],
        "activity_areas": [
            {
                "code": area.code,
                "name": area.name,
                "note": area.note,
                "base_amounts": _years(area.base_amounts) if area.base_amounts else None,
                "change_lines": [
                    {
                        "heading": line.heading,
                        "kind": line.kind,
                        "text": line.text,
                        "decision_reference": line.decision_reference,
                        "counterparty": line.counterparty,
                        "amounts": _years(line.amounts),
                    }
                    for line in area.change_lines
                ],
            }
            for area in version.activity_areas
        ],
        "investments": {
            "frame": _years(version.investment_frame) if version.investment_frame else None,
            "items": [
                {
                    "section": item.section,
                    "heading": item.heading,
                    "name": item.name,
                    "expenditure": {str(a.year): a.expenditure for a in item.amounts},
                    "income": {str(a.year): a.income for a in item.amounts},
                }
                for item in version.investment_items
            ],
        },
    }


def summary_of(budget: Budget) -> dict[str, Any]:
    board = budget.board
    return BudgetSummary(
        municipality_code=board.municipality_code,
        municipality_name=board.municipality.name,
        board_code=board.code,
        board_name=board.name,
        budget_year=budget.budget_year,
        years=budget.years,
        title=budget.title,
    ).model_dump()


def version_out(version: BudgetVersion, superseded_by: int | None) -> VersionOut:
    decision = None
    if version.decided_by and version.decision_date and version.decision_paragraph:
        decision = DecisionOut(
            decided_by=version.decided_by,
            decision_date=version.decision_date,
            paragraph=version.decision_paragraph,
            recorded_by=version.decision_recorded_by,
        )
    return VersionOut(
        number=version.number,
        phase=Phase(version.phase),
        phase_label=PHASE_LABELS[Phase(version.phase)],
        status=version.status,
        based_on_version=version.based_on_number,
        supersedes_version=version.supersedes_number,
        superseded_by_version=superseded_by,
        decision=decision,
        etag=version_etag(version),
        created_at=version.created_at,
        updated_at=version.updated_at,
    )


def _zeros(years: list[int]) -> dict[str, int]:
    return {str(y): 0 for y in years}


async def computed_totals(session: AsyncSession, version: BudgetVersion) -> dict[str, Any]:
    """Every total of a version, each computed by the database."""
    directive = await repo.directive_total(session, version.id)
    proposal = await repo.proposal_total(session, version.id)
    investments = await repo.investment_totals(session, version.id)
    return {
        "directive_total": directive,
        "proposal_total": proposal,
        "of_which_change": difference(proposal, directive),
        "investments": investments,
        "investments_within_frame": investments[InvestmentSection.WITHIN_FRAME]["net"],
        "requests_beyond_frame": investments[InvestmentSection.BEYOND_FRAME]["net"],
        "areas": await repo.area_totals(session, version.id),
    }


def _section(
    version: BudgetVersion, section: str, totals: dict[str, Any], zeros: dict[str, int]
) -> InvestmentSectionOut:
    items = []
    for item in version.investment_items:
        if item.section != section:
            continue
        expenditure = {str(a.year): a.expenditure for a in item.amounts}
        income = {str(a.year): a.income for a in item.amounts}
        items.append(
            InvestmentItemOut(
                id=item.id,
                position=item.position,
                section=item.section,
                heading=item.heading,
                name=item.name,
                expenditure=expenditure,
                income=income,
                net=difference(expenditure, income),
            )
        )
    sums = totals["investments"][section]
    return InvestmentSectionOut(
        items=items,
        total={**zeros, **sums["net"]},
        of_which_expenditure={**zeros, **sums["expenditure"]},
        of_which_income={**zeros, **sums["income"]},
    )


async def build_document(
    session: AsyncSession, budget: Budget, version: BudgetVersion
) -> BudgetDocument:
    totals = await computed_totals(session, version)
    zeros = _zeros(budget.years)
    path = budget_path(budget)
    areas = [
        ActivityAreaOut(
            code=area.code,
            name=area.name,
            position=area.position,
            note=area.note,
            base_amounts=_years(area.base_amounts) if area.base_amounts else None,
            change_lines=[
                ChangeLineOut(
                    id=line.id,
                    position=line.position,
                    heading=line.heading,
                    kind=line.kind,
                    text=line.text,
                    decision_reference=line.decision_reference,
                    counterparty=line.counterparty,
                    amounts=_years(line.amounts),
                )
                for line in area.change_lines
            ],
            total={**zeros, **totals["areas"].get(area.id, {})},
        )
        for area in version.activity_areas
    ]
    within = _section(version, InvestmentSection.WITHIN_FRAME, totals, zeros)
    frame = _years(version.investment_frame) if version.investment_frame else None
    directive_total = {**zeros, **totals["directive_total"]}
    proposal_total = {**zeros, **totals["proposal_total"]}
    return BudgetDocument(
        **summary_of(budget),
        version=version_out(version, await repo.superseded_by(session, budget.id, version.number)),
        directive=DirectiveOut(
            lines=[
                DirectiveLineOut(
                    id=line.id,
                    position=line.position,
                    kind=line.kind,
                    text=line.text,
                    decision_reference=line.decision_reference,
                    amounts=_years(line.amounts),
                )
                for line in version.directive_lines
            ],
            total=directive_total,
        ),
        proposal=ProposalOut(
            activity_areas=areas,
            total=proposal_total,
            of_which_change=difference(proposal_total, directive_total),
        ),
        investments=InvestmentsOut(
            frame=frame,
            within_frame=within,
            beyond_frame=_section(version, InvestmentSection.BEYOND_FRAME, totals, zeros),
            frame_remaining=difference(frame, within.total) if frame is not None else None,
        ),
        links={
            "self": f"{path}/versions/{version.number}",
            "budget": path,
            "versions": f"{path}/versions",
            "audit": f"{path}/audit",
            "follow_up_t1": f"{path}/follow-up/T1",
            "fiscal_data_package": f"{path}/fiscal-data-package/datapackage.json",
        },
    )
