"""Turning a version's stored rows and the totals the database summed into the budget document
(and its summary, version header, path and ETag). Pure: the caller fetches, this shapes."""

from __future__ import annotations

from typing import Any

from budget_service.models import Budget, BudgetVersion
from budget_service.rules.amounts import VersionTotals, by_year, difference
from budget_service.schemas_out import (
    ActivityAreaOut,
    BudgetDocument,
    BudgetListItem,
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


def list_item(budget: Budget, head: BudgetVersion) -> BudgetListItem:
    """A budget in a list: its summary and where its head version stands."""
    return BudgetListItem(
        **summary_of(budget),
        current_version=head.number,
        current_phase=Phase(head.phase),
        current_status=head.status,
        href=budget_path(budget),
    )


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


def _section(
    version: BudgetVersion, section: str, totals: VersionTotals, zeros: dict[str, int]
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
    sums = totals.investments[section]
    return InvestmentSectionOut(
        items=items,
        total={**zeros, **sums["net"]},
        of_which_expenditure={**zeros, **sums["expenditure"]},
        of_which_income={**zeros, **sums["income"]},
    )


def build_document(
    budget: Budget, version: BudgetVersion, totals: VersionTotals, superseded_by: int | None
) -> BudgetDocument:
    """The document of one version; `superseded_by` is the revision that replaced it, if any."""
    zeros = _zeros(budget.years)
    path = budget_path(budget)
    areas = [
        ActivityAreaOut(
            code=area.code,
            name=area.name,
            position=area.position,
            note=area.note,
            base_amounts=by_year(area.base_amounts) if area.base_amounts else None,
            change_lines=[
                ChangeLineOut(
                    id=line.id,
                    position=line.position,
                    heading=line.heading,
                    kind=line.kind,
                    text=line.text,
                    decision_reference=line.decision_reference,
                    counterparty=line.counterparty,
                    amounts=by_year(line.amounts),
                )
                for line in area.change_lines
            ],
            total={**zeros, **totals.areas.get(area.id, {})},
        )
        for area in version.activity_areas
    ]
    within = _section(version, InvestmentSection.WITHIN_FRAME, totals, zeros)
    frame = by_year(version.investment_frame) if version.investment_frame else None
    directive_total = {**zeros, **totals.directive}
    proposal_total = {**zeros, **totals.proposal}
    return BudgetDocument(
        **summary_of(budget),
        version=version_out(version, superseded_by),
        directive=DirectiveOut(
            lines=[
                DirectiveLineOut(
                    id=line.id,
                    position=line.position,
                    kind=line.kind,
                    text=line.text,
                    decision_reference=line.decision_reference,
                    amounts=by_year(line.amounts),
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
