"""The procurement service's measurement, as report robots and the indicator service read it.

Every figure carries the number of procurements it rests on (`based_on`) and is null, "no
data", when none qualify: a reader can tell "nothing happened" from "none of it was SME"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import Field

from municipal_shared.contracts.base import ContractModel
from municipal_shared.types import MunicipalityCode


class MeasuredCount(ContractModel):
    value: int | None = Field(description="Null when no procurement qualifies (no data).")
    based_on: int = Field(ge=0, description="Procurements the figure rests on.")


class MeasuredRatio(ContractModel):
    value: Decimal | None = Field(
        description="Exact decimal (shares to 4 places, means to 2); null when nothing qualifies."
    )
    based_on: int = Field(ge=0)


class Competition(ContractModel):
    procurements: int = Field(ge=0, description="Procurements awarded in the period.")
    bids: MeasuredCount
    bidders: MeasuredCount
    bidders_per_procurement_mean: MeasuredRatio
    bidders_per_procurement_median: MeasuredRatio
    single_bidder_share: MeasuredRatio


class SizeClasses(ContractModel):
    bidders_by_class: dict[str, MeasuredCount] = Field(
        description="By EU size class: micro, small, medium, large, no_data."
    )
    sme_bidders: MeasuredCount
    sme_share_of_bidders: MeasuredRatio
    sme_share_of_bidders_with_known_size: MeasuredRatio
    winners_by_class: dict[str, MeasuredCount]
    sme_winners: MeasuredCount
    sme_share_of_winners: MeasuredRatio
    procurements_won_by_sme: MeasuredCount


class RequirementRule(ContractModel):
    categories: list[str]
    more_than_days: int
    min_employees: int
    judged_suitable: bool


class NotSetReason(ContractModel):
    reason: str | None
    procurements: int


class EmploymentRequirement(ContractModel):
    rule: RequirementRule = Field(description="When an employment requirement is expected.")
    procurements: int = Field(ge=0)
    meeting_the_objective_criteria: MeasuredCount
    eligible: MeasuredCount
    set: MeasuredCount
    eligible_and_set: MeasuredCount
    eligible_but_not_set: MeasuredCount
    set_and_contract_signed: MeasuredCount = Field(
        description="Set, counted by the date the contract was signed."
    )
    not_set_reasons: list[NotSetReason]


class DirectAwards(ContractModel):
    threshold_sek: Decimal
    above_threshold: MeasuredCount
    above_threshold_advertised: MeasuredCount
    advertised_share: MeasuredRatio


class ProcurementMeasurement(ContractModel):
    municipality_code: MunicipalityCode
    administration: str | None = Field(description="Null for the whole municipality.")
    period: str = Field(examples=["2018-T2"])
    start: dt.date
    end: dt.date = Field(description="Inclusive.")
    competition: Competition
    size_classes: SizeClasses
    employment_requirement: EmploymentRequirement
    direct_awards: DirectAwards
