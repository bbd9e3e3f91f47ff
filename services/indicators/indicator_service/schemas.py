"""Request and response bodies of the indicator service."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator

from indicator_service.target_kinds import parameter_problem
from indicator_service.vocabulary import (
    Fulfilment,
    Polarity,
    SourceKind,
    TargetKind,
    UpdateFrequency,
    ValueStatus,
)
from municipal_shared.contracts.base import RequestModel
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


class EvaluationOut(BaseModel):
    status: Fulfilment
    rule: str = Field(description="Which rule decided, e.g. decrease_vs_latest_earlier.")
    reason: str
    compared: dict[str, Any] = Field(description="The values the rule compared.")
