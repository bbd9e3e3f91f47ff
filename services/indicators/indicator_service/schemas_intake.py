"""Bodies of the intake operations: bulk outcomes, milestone assessments, Kolada values."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, field_serializer, model_validator

from indicator_service.schemas import Code, Number, OutcomeIn, Reason, Year
from indicator_service.vocabulary import Fulfilment
from municipal_shared.contracts.base import ContractModel, RequestModel
from municipal_shared.contracts.indicators import FigureKey


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


class OutcomeBatchResult(BaseModel):
    created: int = Field(description="New keys.")
    corrected: int = Field(description="Keys whose current value changed; the old row stays.")
    unchanged: int = Field(description="Items equal to the current value: nothing written.")
    last_change_id: int | None = Field(description="Cursor of the changes feed after this write.")
    # Not an error: a register follows the figures it chose; the sender's other figures of
    # the batch are recorded, and a 422 would only dead-letter them with the rest.
    unused_figures: list[str] = Field(
        default_factory=list,
        description="Delivered figures no indicator of the register is fed by: not recorded.",
    )


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
