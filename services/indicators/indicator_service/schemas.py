"""Request bodies of the indicator service (wire models in; unknown fields are refused):
the register as decided, outcome intake (bulk, Kolada), milestone assessments and the
composed report's approval."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, field_serializer, model_validator

from indicator_service.rules.target_kinds import parameter_problem
from indicator_service.vocabulary import (
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


class KoladaValue(ContractModel):
    gender: str = Field(pattern=r"^[TKM]$")
    count: int | None = Field(default=None, ge=0, le=2_147_483_647)
    # Bounded as the outcome they become: the status text is kept as its notation, and the
    # value must fit the column (1e308 or 30 digits would otherwise fail there, as a 500).
    status: str | None = Field(default="", max_length=200)
    value: Number | None = None

    @field_serializer("value", when_used="json")
    def _as_json_number(self, value: Decimal | None) -> int | float | None:
        # Kolada publishes numbers; its values have few digits, so the shortest float text
        # is the same decimal (4.1 stays 4.1). Stored values stay exact Decimals.
        if value is None:
            return None
        return int(value) if value == value.to_integral_value() else float(value)


class KoladaEntry(ContractModel):
    """Kolada's value shape: one KPI, municipality and period with values per gender."""

    kpi: str = Field(pattern=r"^[A-Z][0-9]{5}$", examples=["N00945"])
    municipality: str = Field(pattern=r"^[0-9]{4}$", examples=["0580"])
    period: int = Field(ge=2000, le=2100, examples=[2017])
    values: list[KoladaValue] = Field(max_length=3, description="One per gender: T, K, M.")


class KoladaImportIn(RequestModel):
    values: list[KoladaEntry] = Field(min_length=1, max_length=1000)
    reason: Reason


class ApprovalIn(RequestModel):
    decision_reference: str = Field(min_length=3, max_length=200, examples=["KS 2018-10-02 §312"])
    reason: str = Field(min_length=3, max_length=2000, examples=["Delårsrapport godkänd"])
