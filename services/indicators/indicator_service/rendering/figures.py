"""The procurement figures the page and the spreadsheets show, declared once: a key, the
Swedish label, where the figure is in the shared contract, and whether it is a share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from municipal_shared.contracts.procurement import (
    MeasuredCount,
    MeasuredRatio,
    ProcurementMeasurement,
)

Measured = MeasuredCount | MeasuredRatio | int | None


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: Decimal | int | None
    based_on: int | None  # procurements the figure rests on; None for a plain count
    share: bool


_FIGURES: list[tuple[str, str, Callable[[ProcurementMeasurement], Measured], bool]] = [
    ("procurements", "Upphandlingar med tilldelning", lambda m: m.competition.procurements, False),
    ("bids", "Anbud", lambda m: m.competition.bids, False),
    (
        "bidders_per_procurement_mean",
        "Anbudsgivare per upphandling, medel",
        lambda m: m.competition.bidders_per_procurement_mean,
        False,
    ),
    (
        "bidders_per_procurement_median",
        "Anbudsgivare per upphandling, median",
        lambda m: m.competition.bidders_per_procurement_median,
        False,
    ),
    (
        "single_bidder_share",
        "Andel upphandlingar med en anbudsgivare",
        lambda m: m.competition.single_bidder_share,
        True,
    ),
    (
        "sme_share_of_bidders_with_known_size",
        "SME bland anbudsgivare med känd storlek",
        lambda m: m.size_classes.sme_share_of_bidders_with_known_size,
        True,
    ),
    (
        "sme_share_of_bidders",
        "SME bland alla anbudsgivare (golv)",
        lambda m: m.size_classes.sme_share_of_bidders,
        True,
    ),
    (
        "sme_share_of_winners_with_known_size",
        "SME bland vinnare med känd storlek",
        lambda m: m.size_classes.sme_share_of_winners_with_known_size,
        True,
    ),
    (
        "procurements_won_by_sme",
        "Upphandlingar vunna av SME",
        lambda m: m.size_classes.procurements_won_by_sme,
        False,
    ),
    (
        "employment_requirement_eligible",
        "Sysselsättningskrav: lämpliga upphandlingar",
        lambda m: m.employment_requirement.eligible,
        False,
    ),
    (
        "employment_requirement_eligible_and_set",
        "Sysselsättningskrav: ställda i lämpliga",
        lambda m: m.employment_requirement.eligible_and_set,
        False,
    ),
    (
        "employment_requirement_eligible_but_not_set",
        "Sysselsättningskrav: lämpliga utan krav",
        lambda m: m.employment_requirement.eligible_but_not_set,
        False,
    ),
    (
        "direct_awards_above_threshold",
        "Direktupphandlingar över beloppsgränsen",
        lambda m: m.direct_awards.above_threshold,
        False,
    ),
    (
        "direct_awards_advertised_share",
        "Direktupphandlingar över gränsen, andel annonserade",
        lambda m: m.direct_awards.advertised_share,
        True,
    ),
]


def procurement_figures(measurement: ProcurementMeasurement) -> list[Figure]:
    out = []
    for key, label, read, is_share in _FIGURES:
        found = read(measurement)
        if isinstance(found, MeasuredCount | MeasuredRatio):
            out.append(Figure(key, label, found.value, found.based_on, is_share))
        else:
            out.append(Figure(key, label, found, None, is_share))
    return out
