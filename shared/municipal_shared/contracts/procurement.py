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
    value: int | None = Field(
        description="Null when no procurement qualifies or nothing is known (no data)."
    )
    based_on: int = Field(ge=0, description="Procurements the figure rests on.")


class MeasuredRatio(ContractModel):
    value: Decimal | None = Field(
        description="Exact decimal (shares to 4 places, means to 2); null, not 0, when "
        "nothing qualifies or the denominator has no known case (no data)."
    )
    based_on: int = Field(ge=0, description="Procurements the figure rests on.")


class Competition(ContractModel):
    procurements: int = Field(ge=0, description="Procurements awarded in the period.")
    bids: MeasuredCount = Field(description="Tenders and variants, where bidders are listed.")
    bidders: MeasuredCount = Field(
        description="Over the procurements whose bidder count is known (listed or reported)."
    )
    bidders_per_procurement_mean: MeasuredRatio
    bidders_per_procurement_median: MeasuredRatio
    single_bidder_share: MeasuredRatio
    procurements_with_reported_bidder_count: int | None = Field(
        default=None,
        description="Procurements whose bidder count is only reported (OCDS numberOfTenderers "
        "without a tenderer list). Absent from a provider older than this field.",
    )
    procurements_with_unknown_bidder_count: int | None = Field(
        default=None,
        description="Procurements left out of the bidder figures: neither listed nor reported.",
    )


_KNOWN_SIZE = "A size class of no_data is neither SME nor large: it is left out."


class SizeClasses(ContractModel):
    bidders_by_class: dict[str, MeasuredCount] = Field(
        description="By EU size class: micro, small, medium, sme, large, no_data. Bidder "
        "figures rest on the procurements whose bidders are all listed (not only the "
        "suppliers standing in for a reported count)."
    )
    bidders_with_known_size: MeasuredCount | None = Field(
        default=None,
        description="Bidders whose size class is known (all but no_data). "
        "Absent from a provider older than this field.",
    )
    sme_bidders: MeasuredCount = Field(
        description="Rests on the procurements with a bidder of known size; null without one."
    )
    sme_share_of_bidders: MeasuredRatio = Field(
        description="SME bidders / all bidders of the procurements with a bidder of known "
        "size, an unknown size among them in the denominator: a floor. Null without one."
    )
    sme_share_of_bidders_with_known_size: MeasuredRatio = Field(
        description="SME bidders / bidders of known size (the share the register receives). "
        "Rests on the procurements with a bidder of known size; null without one. " + _KNOWN_SIZE
    )
    winners_by_class: dict[str, MeasuredCount]
    winners_with_known_size: MeasuredCount | None = Field(
        default=None,
        description="Winners whose size class is known. "
        "Absent from a provider older than this field.",
    )
    sme_winners: MeasuredCount = Field(
        description="Rests on the procurements with a winner of known size; null without one."
    )
    sme_share_of_winners: MeasuredRatio = Field(
        description="SME winners / all winners of the procurements with a winner of known "
        "size: a floor. Null without one."
    )
    sme_share_of_winners_with_known_size: MeasuredRatio | None = Field(
        default=None,
        description="SME winners / winners of known size. Rests on the procurements with a "
        "winner of known size; null without one. " + _KNOWN_SIZE + " Absent from a provider "
        "older than this field.",
    )
    procurements_won_by_sme: MeasuredCount = Field(
        description="Rests on the procurements with a winner of known size; null without one."
    )


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
    procurements_rule_undecided: int | None = Field(
        default=None,
        description="Procurements left out because the rule cannot be decided for them (no "
        "category, execution time or employee count). Absent from a provider older than this.",
    )


class DirectAwards(ContractModel):
    threshold_sek: Decimal
    above_threshold: MeasuredCount
    above_threshold_advertised: MeasuredCount
    advertised_share: MeasuredRatio
    left_out_not_in_sek: int | None = Field(
        default=None,
        description="Direct awards left out of the threshold because their value is not in "
        "SEK (or has no currency). Absent from a provider older than this field.",
    )


class QualityCount(ContractModel):
    code: str = Field(examples=["missing_title"])
    procurements: int = Field(ge=0, description="Procurements of the period with the warning.")


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
    quality: list[QualityCount] = Field(
        default_factory=list,
        description="Quality warnings of the period's procurements, per code: what the "
        "figures could not use.",
    )
