"""Response bodies of the budget service. Every total in them is computed by the service from
the stored lines; peers read the follow-up through the shared contract instead."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from budget_service.vocabulary import (
    ChangeKind,
    DirectiveLineKind,
    InvestmentSection,
    Phase,
    VersionStatus,
)
from municipal_shared.kit.audit import AuditEntryOut as KitAuditEntryOut


class MunicipalityOut(BaseModel):
    code: str
    name: str


class BoardOut(BaseModel):
    municipality_code: str
    code: str
    name: str


class DirectiveLineOut(BaseModel):
    id: int
    position: int
    kind: DirectiveLineKind
    text: str
    decision_reference: str | None
    amounts: dict[str, int]


class DirectiveOut(BaseModel):
    lines: list[DirectiveLineOut]
    total: dict[str, int] = Field(description="Summa budgetram enligt budgetdirektiv.")


class ChangeLineOut(BaseModel):
    id: int
    position: int
    heading: str
    kind: ChangeKind
    text: str
    decision_reference: str | None
    counterparty: str | None
    amounts: dict[str, int]


class ActivityAreaOut(BaseModel):
    code: str
    name: str
    position: int
    note: str | None
    base_amounts: dict[str, int] | None
    change_lines: list[ChangeLineOut]
    total: dict[str, int] = Field(description="Base amount plus every change line.")


class ProposalOut(BaseModel):
    activity_areas: list[ActivityAreaOut]
    total: dict[str, int] = Field(description="Summa nämndens förslag till budgetram.")
    of_which_change: dict[str, int] = Field(description="Proposal total minus directive total.")


class InvestmentItemOut(BaseModel):
    id: int
    position: int
    section: InvestmentSection
    heading: str | None
    name: str
    expenditure: dict[str, int]
    income: dict[str, int]
    net: dict[str, int]


class InvestmentSectionOut(BaseModel):
    items: list[InvestmentItemOut]
    total: dict[str, int] = Field(description="Net expenditure (expenditure minus income).")
    of_which_expenditure: dict[str, int]
    of_which_income: dict[str, int]


class InvestmentsOut(BaseModel):
    frame: dict[str, int] | None
    within_frame: InvestmentSectionOut
    beyond_frame: InvestmentSectionOut
    frame_remaining: dict[str, int] | None = Field(description="Frame minus net within frame.")


class DecisionOut(BaseModel):
    decided_by: str
    decision_date: dt.date
    paragraph: str
    recorded_by: str | None


class VersionOut(BaseModel):
    number: int
    phase: Phase
    phase_label: str
    status: VersionStatus
    based_on_version: int | None
    supersedes_version: int | None
    superseded_by_version: int | None
    decision: DecisionOut | None
    etag: str
    created_at: dt.datetime
    updated_at: dt.datetime


class BudgetSummary(BaseModel):
    municipality_code: str
    municipality_name: str
    board_code: str
    board_name: str
    budget_year: int
    years: list[int]
    title: str
    unit: str = Field(default="tkr", description="Every amount is in thousand SEK, net cost.")


class BudgetListItem(BudgetSummary):
    current_version: int
    current_phase: Phase
    current_status: VersionStatus
    href: str


class BudgetDocument(BudgetSummary):
    version: VersionOut
    directive: DirectiveOut
    proposal: ProposalOut
    investments: InvestmentsOut
    links: dict[str, str]


class AuditEntryOut(KitAuditEntryOut):
    """The kit's audit entry with the version the change touched (none outside a budget)."""

    version_number: int | None
