"""The counts the measurement divides, as the database returns them: the same shapes whether
they were summed from the per-day summary (repository/measurement.py) or counted by scanning
the procurements (repository/measurement_scan.py), so the figures built from them
(rules/measurement.py) cannot tell the two apart."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CompetitionCounts:
    procurements: int
    counted: int  # procurements whose bidder count is known
    bidders: int
    single: int
    on_reported: int
    on_listed: int
    bids: int
    middle_sum: int  # the one or two middle bidder counts, for the median
    middle_count: int


@dataclass(frozen=True)
class SizeClassCounts:
    bidders: dict[str, int]  # per size class, in procurements with the whole field listed
    winners: dict[str, int]
    procurements: int
    listed: int
    with_known_bidder: int
    bidders_where_known: int
    with_known_winner: int
    winners_where_known: int
    won_by_sme: int


@dataclass(frozen=True)
class EmploymentCounts:
    procurements: int
    candidates: int
    candidates_decided: int
    eligibles: int
    eligibles_decided: int
    set_: int
    eligible_set: int
    eligible_unset: int
    signed: int
    signed_procurements: int
    not_set_reasons: list[tuple[str | None, int]]


@dataclass(frozen=True)
class DirectAwardCounts:
    decided: int
    above: int
    advertised: int
    not_in_sek: int


@dataclass(frozen=True)
class Counts:
    """Everything one window's figures are built from."""

    competition: CompetitionCounts
    size_classes: SizeClassCounts
    employment: EmploymentCounts
    direct_awards: DirectAwardCounts
    quality: list[tuple[str, int]]  # per warning code, the procurements carrying it
