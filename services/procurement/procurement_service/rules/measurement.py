"""SME and employment-requirement measurement: the figures from the counts the database
returned (rules/measurement_counts.py: summed from the per-day summary by
repository/measurement.py, or scanned by repository/measurement_scan.py).

A procurement belongs to the period of its award decision; "set and signed" counts by the
contract signing date. Every figure carries `based_on`, the number of procurements it rests
on, and is null ("no data") when none qualify, never 0. Only the final divisions (mean,
median, shares) happen here, in exact Decimal arithmetic, on counts the database returned.

Unknown stays unknown: a bidder or winner whose size class is `no_data` is neither SME nor
large, and a figure with no known case behind it is null. So the SME figures rest on the
procurements with at least one bidder (winner) of known size, and are null without one:
- `sme_share_of_bidders_with_known_size` = SME bidders / bidders of known size: the share
  delivered to the register as "Andel små och medelstora (SME)", in per cent, and "no data"
  there when no bidder's size is known; `sme_share_of_winners_with_known_size` likewise;
- `sme_share_of_bidders` (`..._of_winners`) = SME bidders / all bidders of those same
  procurements, an unknown size among them in the denominator: a floor;
- `sme_bidders`, `sme_winners` and `procurements_won_by_sme` count in those procurements.
Bidder figures also need the whole field listed: where a procurement only reported its count
and its suppliers stand in as bidders, their sizes tell who won, not who bid, so it counts
for the winner figures only. `bidders_with_known_size` and `winners_with_known_size` say how
much of the field the known sizes cover."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from municipal_shared.contracts.procurement import (
    Competition,
    DirectAwards,
    EmploymentRequirement,
    MeasuredCount,
    MeasuredRatio,
    NotSetReason,
    QualityCount,
    RequirementRule,
    SizeClasses,
)
from municipal_shared.types import Tertial
from procurement_service.rules.measurement_counts import (
    CompetitionCounts,
    Counts,
    DirectAwardCounts,
    EmploymentCounts,
    SizeClassCounts,
)
from procurement_service.vocabulary import SME_CLASSES, SizeClass

SHARE = Decimal("0.0001")
MEAN = Decimal("0.01")


@dataclass(frozen=True)
class Rule:
    categories: tuple[str, ...] = ("services", "works")
    min_execution_days: int = 122  # "more than 4 months"
    min_employees: int = 2
    direct_award_threshold_sek: Decimal = Decimal(100_000)


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date  # inclusive


TERTIAL_START = {Tertial.T1: (1, 1), Tertial.T2: (5, 1), Tertial.T3: (9, 1)}


def tertial_window(year: int, tertial: Tertial, alone: bool) -> Window:
    """Cumulative from January, or the tertial's four months alone."""
    start = dt.date(year, *TERTIAL_START[tertial]) if alone else dt.date(year, 1, 1)
    return Window(start, tertial.period_end(year))


def measured_count(value: int, based_on: int) -> MeasuredCount:
    return MeasuredCount(value=None if based_on == 0 else value, based_on=based_on)


def measured_ratio(value: Decimal | None, based_on: int) -> MeasuredRatio:
    return MeasuredRatio(value=None if based_on == 0 else value, based_on=based_on)


@dataclass(frozen=True)
class Figures:
    competition: Competition
    size_classes: SizeClasses
    employment_requirement: EmploymentRequirement
    direct_awards: DirectAwards
    quality: list[QualityCount]


def ratio(part: int, whole: int, quantum: Decimal = SHARE) -> Decimal | None:
    return None if whole == 0 else (Decimal(part) / Decimal(whole)).quantize(quantum)


def competition(c: CompetitionCounts) -> Competition:
    return Competition(
        procurements=c.procurements,
        bids=measured_count(c.bids, c.on_listed),
        bidders=measured_count(c.bidders, c.counted),
        bidders_per_procurement_mean=measured_ratio(ratio(c.bidders, c.counted, MEAN), c.counted),
        bidders_per_procurement_median=measured_ratio(
            ratio(c.middle_sum, c.middle_count, MEAN), c.counted
        ),
        single_bidder_share=measured_ratio(ratio(c.single, c.counted), c.counted),
        procurements_with_reported_bidder_count=c.on_reported,
        procurements_with_unknown_bidder_count=c.procurements - c.counted,
    )


def size_classes(c: SizeClassCounts) -> SizeClasses:
    bidders, winners = c.bidders, c.winners
    known_bidders = sum(bidders.values()) - bidders[SizeClass.NO_DATA]
    sme_bidders = sum(bidders[s] for s in SME_CLASSES)
    known_winners = sum(winners.values()) - winners[SizeClass.NO_DATA]
    sme_winners = sum(winners[s] for s in SME_CLASSES)
    return SizeClasses(
        bidders_by_class={cls: measured_count(n, c.listed) for cls, n in bidders.items()},
        bidders_with_known_size=measured_count(known_bidders, c.listed),
        sme_bidders=measured_count(sme_bidders, c.with_known_bidder),
        sme_share_of_bidders=measured_ratio(
            ratio(sme_bidders, c.bidders_where_known), c.with_known_bidder
        ),
        sme_share_of_bidders_with_known_size=measured_ratio(
            ratio(sme_bidders, known_bidders), c.with_known_bidder
        ),
        winners_by_class={cls: measured_count(n, c.procurements) for cls, n in winners.items()},
        winners_with_known_size=measured_count(known_winners, c.procurements),
        sme_winners=measured_count(sme_winners, c.with_known_winner),
        sme_share_of_winners=measured_ratio(
            ratio(sme_winners, c.winners_where_known), c.with_known_winner
        ),
        sme_share_of_winners_with_known_size=measured_ratio(
            ratio(sme_winners, known_winners), c.with_known_winner
        ),
        procurements_won_by_sme=measured_count(c.won_by_sme, c.with_known_winner),
    )


def employment_requirement(c: EmploymentCounts, rule: Rule) -> EmploymentRequirement:
    return EmploymentRequirement(
        rule=RequirementRule(
            categories=list(rule.categories),
            more_than_days=rule.min_execution_days,
            min_employees=rule.min_employees,
            judged_suitable=True,
        ),
        procurements=c.procurements,
        meeting_the_objective_criteria=measured_count(c.candidates, c.candidates_decided),
        eligible=measured_count(c.eligibles, c.eligibles_decided),
        set=measured_count(c.set_, c.procurements),
        eligible_and_set=measured_count(c.eligible_set, c.eligibles_decided),
        eligible_but_not_set=measured_count(c.eligible_unset, c.eligibles_decided),
        set_and_contract_signed=measured_count(c.signed, c.signed_procurements),
        not_set_reasons=[NotSetReason(reason=r, procurements=n) for r, n in c.not_set_reasons],
        procurements_rule_undecided=c.procurements - c.candidates_decided,
    )


def direct_awards(c: DirectAwardCounts, rule: Rule) -> DirectAwards:
    return DirectAwards(
        threshold_sek=rule.direct_award_threshold_sek,
        above_threshold=measured_count(c.above, c.decided - c.not_in_sek),
        above_threshold_advertised=measured_count(c.advertised, c.above),
        advertised_share=measured_ratio(ratio(c.advertised, c.above), c.above),
        left_out_not_in_sek=c.not_in_sek,
    )


def figures_of(counts: Counts, rule: Rule) -> Figures:
    """The figures of one window from its counts, wherever the counts came from."""
    return Figures(
        competition=competition(counts.competition),
        size_classes=size_classes(counts.size_classes),
        employment_requirement=employment_requirement(counts.employment, rule),
        direct_awards=direct_awards(counts.direct_awards, rule),
        quality=[QualityCount(code=c, procurements=n) for c, n in counts.quality],
    )
