"""What another service writes into the indicator register: a batch of outcomes for periods.

The indicator service's own intake accepts more (comments, notation, genders); this is the part
a delivering service relies on, and a test checks the register's documented intake accepts it."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from municipal_shared.contracts.base import RequestModel
from municipal_shared.types import PeriodCode

# A sender's stable name of one of its figures, e.g. `procurement.bidders_per_procurement`.
# The register's definition says which indicator a figure feeds (`fed_by`), so a sender
# never needs to know a municipality's indicator codes.
FigureKey = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]{0,39}(\.[a-z][a-z0-9_]{0,79}){1,3}$",
        max_length=100,
        examples=["procurement.bidders_per_procurement"],
    ),
]


class DeliveredOutcome(RequestModel):
    """One value, addressed either to an indicator by its code or as a figure by its key."""

    indicator_code: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")
    figure: FigureKey | None = Field(
        default=None,
        description="Instead of indicator_code: the register records the value on every "
        "indicator whose definition says it is fed by this figure.",
    )
    period: PeriodCode
    value: Decimal | None = Field(
        default=None, max_digits=18, decimal_places=6, description="Absent with no_data."
    )
    status: Literal["normal", "no_data"] = Field(
        default="normal", description="no_data when nothing qualifies: never a zero."
    )
    source: str = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _one_address(self) -> DeliveredOutcome:
        if (self.indicator_code is None) == (self.figure is None):
            raise ValueError("give exactly one of indicator_code and figure")
        return self


class DeliveredOutcomes(RequestModel):
    items: list[DeliveredOutcome] = Field(min_length=1, max_length=1000)
    reason: str = Field(min_length=3, max_length=2000)
