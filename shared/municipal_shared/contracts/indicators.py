"""What another service writes into the indicator register: a batch of outcomes for periods.

The indicator service's own intake accepts more (comments, notation, genders); this is the part
a delivering service relies on, and a test checks the register's documented intake accepts it."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from municipal_shared.contracts.base import RequestModel
from municipal_shared.types import PeriodCode


class DeliveredOutcome(RequestModel):
    indicator_code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")
    period: PeriodCode
    value: Decimal | None = Field(
        default=None, max_digits=18, decimal_places=6, description="Absent with no_data."
    )
    status: Literal["normal", "no_data"] = Field(
        default="normal", description="no_data when nothing qualifies: never a zero."
    )
    source: str = Field(min_length=1, max_length=100)


class DeliveredOutcomes(RequestModel):
    items: list[DeliveredOutcome] = Field(min_length=1, max_length=1000)
    reason: str = Field(min_length=3, max_length=2000)
