"""Request bodies of the indicator service (wire models in; unknown fields are refused):
the register as decided, outcome intake (bulk, Kolada), milestone assessments and the
composed report's approval."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import Field, model_validator

from indicator_service.rules.target_kinds import parameter_problem
from indicator_service.vocabulary import (
    AssignmentAddressee,
    AssignmentIssuer,
    AssignmentStatus,
    Fulfilment,
    Polarity,
    SourceKind,
    TargetKind,
    UpdateFrequency,
    ValueStatus,
)
from municipal_shared.contracts.base import ContractModel, RequestModel
from municipal_shared.contracts.indicators import FigureKey
from municipal_shared.types import BoardCode, MunicipalityCode, PeriodCode

Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$", examples=["personalomsattning"])]
Year = Annotated[int, Field(ge=2000, le=2100, examples=[2018])]
Number = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=18, decimal_places=6)]
Reason = Annotated[str, Field(min_length=3, max_length=2000, examples=["Delårsrapport T2"])]
BandPercent = Annotated[
    Decimal, Field(allow_inf_nan=False, max_digits=18, decimal_places=6, ge=0, le=100)
]
BandSource = Annotated[
    str,
    Field(
        min_length=3,
        max_length=500,
        description="The decision that set the band; required with a band.",
        examples=["Kommunstyrelsens beslut 2018-03-06 § 45"],
    ),
]


class TargetIn(RequestModel):
    year: Year
    kind: TargetKind
    wording: str = Field(
        max_length=1000, description="The decided wording, verbatim.", examples=["ska minska"]
    )
    footnote: str | None = Field(default=None, max_length=1000)
    value: Number | None = None
    baseline_year: Year | None = None
    baseline_value: Number | None = None
    percent: Number | None = None
    count: int | None = Field(default=None, ge=0, le=2_147_483_647)

    @model_validator(mode="after")
    def _parameters_fit_the_kind(self) -> TargetIn:
        problem = parameter_problem(self.kind, vars(self))
        if problem is not None:
            raise ValueError(problem)
        return self


class OutcomeIn(RequestModel):
    """A value for a period; a missing value has a status and no number."""

    period: PeriodCode
    value: Number | None = None
    status: ValueStatus = ValueStatus.NORMAL
    notation: str | None = Field(
        default=None, max_length=200, description="The cell as printed, e.g. i.u or -."
    )
    source: str = Field(default="manual", min_length=1, max_length=100)
    gender: str = Field(default="T", pattern=r"^[TKM]$", description="Kolada: T total, K, M.")
    comment: str | None = Field(default=None, max_length=4000)
    analysis: str | None = Field(default=None, max_length=8000)

    @model_validator(mode="after")
    def _number_or_status(self) -> OutcomeIn:
        bearing = self.status in (
            ValueStatus.NORMAL,
            ValueStatus.PROVISIONAL,
            ValueStatus.ESTIMATED,
        )
        if bearing and self.value is None:
            raise ValueError(f"status {self.status} needs a value; a missing value needs a status")
        if not bearing and self.value is not None:
            raise ValueError(f"a value with status {self.status} cannot carry a number")
        return self


class IndicatorIn(RequestModel):
    code: Code
    name: str = Field(min_length=1, max_length=500)
    unit: str = Field(min_length=1, max_length=40, examples=["%", "antal", "poäng", "g CO2/km"])
    group: str | None = Field(default=None, max_length=200, description="Group in the table.")
    polarity: Polarity
    definition: str | None = Field(default=None, max_length=4000)
    source_kind: SourceKind = SourceKind.MANUAL
    source_ref: str | None = Field(
        default=None, max_length=100, description="Kolada KPI id or the delivering service."
    )
    update_frequency: UpdateFrequency = UpdateFrequency.ANNUAL
    fed_by: FigureKey | None = Field(
        default=None,
        description="The delivered figure this indicator records, e.g. "
        "procurement.bidders_per_procurement; a sender delivers the figure, not this code.",
    )
    tolerance_percent: BandPercent | None = Field(
        default=None,
        description="The indicator's own band for partly met / unchanged, set by the "
        "municipality; null: the register's band, if any.",
    )
    tolerance_source: BandSource | None = None
    council_goals: list[Annotated[int, Field(ge=1, le=99)]] = Field(default_factory=list)
    focus_areas: list[Code] = Field(default_factory=list)
    footnotes: list[Annotated[str, Field(min_length=1, max_length=1000)]] = Field(
        default_factory=list, max_length=20, description="As printed under the table."
    )
    targets: list[TargetIn] = Field(default_factory=list)
    outcomes: list[OutcomeIn] = Field(default_factory=list)


class CouncilGoalIn(RequestModel):
    number: Annotated[int, Field(ge=1, le=99)]
    title: str = Field(min_length=1, max_length=500)
    board_linked: bool = Field(description="The board marks the goal as its own (KS column).")


class FocusAreaIn(RequestModel):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=8000)
    council_goals: list[Annotated[int, Field(ge=1, le=99)]] = Field(default_factory=list)


class RegisterIn(RequestModel):
    """A whole register as decided: the seed's data file has this shape."""

    municipality_code: MunicipalityCode
    board_code: BoardCode
    name: str = Field(min_length=1, max_length=300)
    first_year: Year
    last_year: Year
    default_tolerance_percent: BandPercent | None = Field(
        default=None,
        description="The register's band for partly met / unchanged, set by the municipality; "
        "null (the default): no band, every target is evaluated exactly as worded.",
    )
    default_tolerance_source: BandSource | None = None
    council_goals: list[CouncilGoalIn]
    focus_areas: list[FocusAreaIn] = Field(default_factory=list)
    indicators: list[IndicatorIn]
    reason: Reason


class OutcomeItemIn(OutcomeIn):
    indicator_code: Code | None = None
    figure: FigureKey | None = Field(
        default=None,
        description="Instead of indicator_code: recorded on every indicator of the register "
        "whose definition says it is fed by this figure (`fed_by`); a figure no indicator "
        "declares is not recorded and is listed in `unused_figures`.",
    )

    @model_validator(mode="after")
    def _one_address(self) -> OutcomeItemIn:
        if (self.indicator_code is None) == (self.figure is None):
            raise ValueError("give exactly one of indicator_code and figure")
        return self


class OutcomeBatchIn(RequestModel):
    items: list[OutcomeItemIn] = Field(min_length=1, max_length=1000)
    reason: Reason


class AssessmentIn(RequestModel):
    year: Year
    status: Annotated[Fulfilment, Field(description="met, partly_met or not_met")]
    motivation: str = Field(min_length=3, max_length=8000)
    reason: Reason


class KoladaValueIn(ContractModel):
    """One gender's value as Kolada publishes it; fields Kolada may add later are ignored."""

    gender: str = Field(pattern=r"^[TKM]$")
    count: int | None = Field(default=None, ge=0, le=2_147_483_647)
    # Bounded as the outcome they become: the status text is kept as its notation, and the
    # value must fit the column (1e308 or 30 digits would otherwise fail there, as a 500).
    status: str | None = Field(default="", max_length=200)
    value: Number | None = None
    isdeleted: bool = Field(
        default=False,
        description="Kolada withdrew the value: recorded as missing, replacing the earlier one.",
    )


class KoladaEntryIn(ContractModel):
    """Kolada's value shape: one KPI, municipality and period with values per gender."""

    kpi: str = Field(pattern=r"^[A-Z][0-9]{5}$", examples=["N00945"])
    municipality: str = Field(pattern=r"^[0-9]{4}$", examples=["0580"])
    period: int = Field(ge=2000, le=2100, examples=[2017])
    values: list[KoladaValueIn] = Field(max_length=3, description="One per gender: T, K, M.")


class KoladaImportIn(RequestModel):
    """A page of Kolada API v2 data (`/v2/data/kpi/...`) as Kolada returns it."""

    count: int | None = Field(
        default=None, ge=0, description="Kolada's count of `values` on this page; checked."
    )
    values: list[KoladaEntryIn] = Field(min_length=1, max_length=1000)
    next_page: str | None = Field(
        default=None,
        max_length=2000,
        description="Followed only on this machine's Kolada test server (a loopback host and "
        "a /v2/data/ path); any other host is refused, never fetched.",
    )
    previous_page: str | None = Field(default=None, max_length=2000, description="Ignored.")
    reason: Reason | None = Field(
        default=None,
        description="Deprecated: give the reason as the `reason` query parameter instead.",
    )


class ApprovalIn(RequestModel):
    decision_reference: str = Field(min_length=3, max_length=200, examples=["KS 2018-10-02 §312"])
    reason: str = Field(min_length=3, max_length=2000, examples=["Delårsrapport godkänd"])


# ---- assignments (uppdrag) ----------------------------------------------------------------

Paragraph = Annotated[str, Field(min_length=1, max_length=8000)]


class AssignmentIn(RequestModel):
    """An assignment as printed: the title and the board's answer verbatim (paragraphs kept),
    who gave it and to whom, what it serves and what reports on it."""

    code: Code
    title: str = Field(min_length=1, max_length=2000, description="As printed, verbatim.")
    answer: list[Paragraph] = Field(
        default_factory=list, max_length=50, description="The board's answer, one per paragraph."
    )
    issued_by: AssignmentIssuer = AssignmentIssuer.COUNCIL
    addressed_to: AssignmentAddressee = AssignmentAddressee.THIS_BOARD
    council_goals: list[Annotated[int, Field(ge=1, le=99)]] = Field(default_factory=list)
    focus_areas: list[Code] = Field(default_factory=list)
    indicators: list[Code] = Field(default_factory=list, description="Indicator codes.")
    figures: list[FigureKey] = Field(
        default_factory=list,
        description="Delivered figures that report on it; shown with the values of the "
        "indicators fed by them (`fed_by`).",
    )
    due_date: dt.date | None = None
    due_wording: str | None = Field(
        default=None, max_length=2000, description="The due date or period as printed."
    )
    responsible: str | None = Field(
        default=None, max_length=2000, description="Who is responsible, as printed."
    )


class AssignmentsIn(RequestModel):
    """A register's assignments as decided: the seed's assignment files have this shape."""

    municipality_code: MunicipalityCode
    board_code: BoardCode
    assignments: list[AssignmentIn] = Field(max_length=500)
    reason: Reason


class FollowUpItemIn(RequestModel):
    assignment_code: Code
    period: Annotated[
        str,
        Field(
            pattern=r"^[0-9]{4}-T[1-3]$",
            description="The tertial followed up.",
            examples=["2018-T2"],
        ),
    ]
    status: AssignmentStatus
    comment: str | None = Field(default=None, max_length=8000)
    status_reason: str | None = Field(
        default=None,
        min_length=3,
        max_length=4000,
        description="Why the assignment is delayed or cancelled; required with those statuses.",
    )


class FollowUpBatchIn(RequestModel):
    items: list[FollowUpItemIn] = Field(min_length=1, max_length=500)
    reason: Reason
