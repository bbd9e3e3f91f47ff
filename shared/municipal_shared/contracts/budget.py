"""The budget service's tertial follow-up, as report robots and the indicator service read it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import Field

from municipal_shared.contracts.base import ContractModel
from municipal_shared.types import BoardCode, MunicipalityCode, Tertial


class FollowUpAmounts(ContractModel):
    budget: int = Field(description="Net-cost budget for the year, thousand SEK.")
    outcome_to_date: Decimal | None = Field(
        description="Net cost from 1 January to the period end; null until reported."
    )
    full_year_forecast: Decimal | None = Field(description="Expected net cost for the full year.")
    deviation: Decimal | None = Field(
        description="Budget minus forecast; positive is a surplus. Null without a forecast."
    )


class FollowUpRow(FollowUpAmounts):
    activity_area_code: str
    activity_area_name: str
    comment: str | None = None


class BudgetFollowUp(ContractModel):
    municipality_code: MunicipalityCode
    board_code: BoardCode
    budget_year: int
    tertial: Tertial
    period_end: dt.date
    unit: str = Field(default="tkr", description="Every amount is in thousand SEK.")
    reference_version: int = Field(description="Budget version whose frame is the budget.")
    reference_phase: str
    reported: bool = Field(description="False while no figure has been reported for the tertial.")
    areas_reported: int | None = Field(
        default=None,
        description="Activity areas with figures; the total has figures only when all do.",
    )
    rows: list[FollowUpRow]
    total: FollowUpAmounts = Field(
        description="The year's budget; outcome, forecast and deviation once every area reported."
    )
    updated_at: dt.datetime | None = None


class MunicipalityName(ContractModel):
    """A municipality as the budget service registers it (`GET /v1/municipalities/{code}`):
    the composed report's page is headed with the name, not the code."""

    code: MunicipalityCode
    name: str


class BoardName(ContractModel):
    """A board as the budget service registers it
    (`GET /v1/municipalities/{code}/boards/{board}`)."""

    municipality_code: MunicipalityCode
    code: BoardCode
    name: str
