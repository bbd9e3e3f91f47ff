"""Request bodies of the budget service. They forbid unknown fields, so a client cannot slip a
total in: every total is computed by the service (responses are in schemas_out.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from budget_service.vocabulary import (
    ChangeKind,
    DirectiveLineKind,
    InvestmentSection,
    Phase,
)
from municipal_shared.contracts.base import RequestModel
from municipal_shared.types import (
    BoardCode,
    BudgetYear,
    ExactThousandSEK,
    MunicipalityCode,
    ThousandSEK,
)

YearKey = Annotated[str, Field(pattern=r"^[0-9]{4}$")]
YearAmounts = Annotated[
    dict[YearKey, ThousandSEK],
    Field(
        description="Thousand SEK per year, keyed by year; every year of the budget, no other.",
        examples=[{"2018": 7644, "2019": 7580, "2020": 7580, "2021": 7580}],
    ),
]
Reason = Annotated[
    str,
    Field(
        min_length=3,
        max_length=2000,
        description="Why: kept in the audit log.",
        examples=["Budgetförslag enligt KS beslut"],
    ),
]
Text = Annotated[str, Field(min_length=1, max_length=500)]
# Lengths of the columns they are stored in.
Short = Annotated[str, Field(min_length=1, max_length=100)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Title = Annotated[str, Field(min_length=1, max_length=300)]
AreaCode = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,59}$", examples=["naringsliv"])]


class MunicipalityIn(RequestModel):
    name: Short = Field(examples=["Linköping"])
    reason: Reason


class BoardIn(RequestModel):
    name: Name = Field(examples=["Kommunstyrelsen"])
    reason: Reason


class BudgetIn(RequestModel):
    municipality_code: MunicipalityCode
    board_code: BoardCode
    budget_year: BudgetYear
    plan_year_count: int = Field(
        default=3, ge=1, le=4, description="Plan years after the budget year."
    )
    title: Title = Field(examples=["Budgetförslag 2018 med plan för 2019-2021"])
    reason: Reason


class DirectiveLineIn(RequestModel):
    kind: DirectiveLineKind
    text: Text = Field(examples=["Uppräkning för pris- och löneökningar"])
    decision_reference: str | None = Field(default=None, max_length=200, examples=["KF 2015-11-24"])
    amounts: YearAmounts


class ChangeLineIn(RequestModel):
    heading: Name = Field(examples=["Övriga förändringar"])
    kind: ChangeKind
    text: Text = Field(examples=["Omvandling av markeringsbeslut till ordinarie"])
    decision_reference: str | None = Field(default=None, max_length=200)
    counterparty: str | None = Field(
        default=None, max_length=200, description="The other board of a reallocation."
    )
    amounts: YearAmounts


class ActivityAreaIn(RequestModel):
    code: AreaCode
    name: Name = Field(examples=["Näringsliv"])
    base_amounts: YearAmounts | None = Field(
        default=None,
        description="The area's frame before changes; null where the budget shows none.",
    )
    note: str | None = Field(default=None, max_length=2000)
    change_lines: list[ChangeLineIn] = Field(default_factory=list, max_length=200)


class InvestmentItemIn(RequestModel):
    section: InvestmentSection
    heading: str | None = Field(default=None, max_length=200)
    name: Text = Field(examples=["Allmänt investeringsutrymme"])
    expenditure: YearAmounts
    income: YearAmounts | None = Field(default=None, description="Omitted means no income.")


class InvestmentsIn(RequestModel):
    frame: YearAmounts | None = Field(default=None, description="Investment frame per directive.")
    items: list[InvestmentItemIn] = Field(default_factory=list, max_length=500)


class ControlTotals(RequestModel):
    """Totals printed in a source document. They are checked against the computed totals and
    never stored: a disagreement is a 422 naming the total."""

    directive_total: YearAmounts | None = None
    proposal_total: YearAmounts | None = None
    of_which_change: YearAmounts | None = None
    investments_within_frame: YearAmounts | None = None
    requests_beyond_frame: YearAmounts | None = None


class VersionContentIn(RequestModel):
    reason: Reason
    directive_lines: list[DirectiveLineIn] = Field(default_factory=list, max_length=200)
    activity_areas: list[ActivityAreaIn] = Field(default_factory=list, max_length=200)
    investments: InvestmentsIn = Field(default_factory=InvestmentsIn)
    control_totals: ControlTotals | None = None


class NewChangeLineIn(ChangeLineIn):
    activity_area_code: AreaCode
    reason: Reason


class DecisionIn(RequestModel):
    decided_by: Short = Field(description="The deciding body.", examples=["KF"])
    decision_date: dt.date = Field(examples=["2017-11-28"])
    paragraph: Short = Field(examples=["§ 412"])
    reason: Reason


class NewVersionIn(RequestModel):
    phase: Phase = Field(
        description="The same phase as the decided head makes a revision that supersedes it; "
        "a later phase moves the budget on."
    )
    reason: Reason


class FollowUpEntryIn(RequestModel):
    activity_area_code: AreaCode
    outcome_to_date: ExactThousandSEK
    full_year_forecast: ExactThousandSEK
    comment: str | None = Field(default=None, max_length=4000)


class FollowUpIn(RequestModel):
    entries: list[FollowUpEntryIn] = Field(min_length=1, max_length=200)
    reason: Reason
