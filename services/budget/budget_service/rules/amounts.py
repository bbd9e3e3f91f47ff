"""Amounts per year: which years an amount may name, what a total must be, how far a frame
reaches. Every total itself is a GROUP BY in the database; these rules compare and combine."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from budget_service.vocabulary import InvestmentSection
from municipal_shared.kit.problems import field_error

YearMap = Mapping[str, int]
YearTotals = dict[str, int]
# Per investment section: expenditure, income and net per year.
InvestmentTotals = dict[str, dict[str, YearTotals]]


def by_year(rows: Iterable[Any]) -> dict[str, int]:
    """Stored amount rows (a year and an amount each) as the wire's map of year to amount."""
    return {str(r.year): r.amount for r in rows}


def year_errors(amounts: YearMap | None, years: list[int], pointer: str) -> list[dict[str, str]]:
    """Amounts must name every year of the budget and no other (an unshown year is a 0)."""
    if amounts is None:
        return []
    expected = {str(y) for y in years}
    errors = [
        field_error(f"{pointer}/{key}", f"year {key} is outside the budget's years {years}")
        for key in sorted(set(amounts) - expected)
    ]
    missing = sorted(expected - set(amounts))
    if missing:
        errors.append(field_error(pointer, f"amounts missing for year(s) {', '.join(missing)}"))
    return errors


def difference(left: YearMap, right: YearMap) -> dict[str, int]:
    """left minus right per year; "of which change" is proposal minus directive."""
    return {year: left.get(year, 0) - right.get(year, 0) for year in sorted({*left, *right})}


@dataclass(frozen=True)
class VersionTotals:
    """Every total of one version, as the database summed them (years without rows are absent)."""

    directive: YearTotals
    proposal: YearTotals
    investments: InvestmentTotals
    areas: dict[int, YearTotals]  # by activity area id

    @property
    def investments_within_frame(self) -> YearTotals:
        return self.investments[InvestmentSection.WITHIN_FRAME]["net"]

    def named(self) -> dict[str, YearTotals]:
        """The totals a source document prints, by the names of its control totals."""
        return {
            "directive_total": self.directive,
            "proposal_total": self.proposal,
            "of_which_change": difference(self.proposal, self.directive),
            "investments_within_frame": self.investments_within_frame,
            "requests_beyond_frame": self.investments[InvestmentSection.BEYOND_FRAME]["net"],
        }


def control_total_errors(
    claimed: Mapping[str, YearMap | None], computed: Mapping[str, YearMap]
) -> list[dict[str, str]]:
    errors = []
    for name, amounts in claimed.items():
        if amounts is None:
            continue
        for year, value in sorted(amounts.items()):
            actual = computed[name].get(year, 0)
            if value != actual:
                errors.append(
                    field_error(
                        f"/control_totals/{name}/{year}",
                        f"{name} {year} is {actual} from the lines, not {value}",
                        "sum-mismatch",
                    )
                )
    return errors


def frame_excess_errors(frame: YearMap | None, within_frame_net: YearMap) -> list[dict[str, str]]:
    """Investments within the frame may not exceed it; what does is a request beyond frame."""
    if frame is None:
        return []
    return [
        field_error(
            "/investments/items",
            f"investments within frame {year} are {net}, above the frame {frame.get(year, 0)}; "
            "put the excess under beyond_frame",
            "frame-exceeded",
        )
        for year, net in sorted(within_frame_net.items())
        if net > frame.get(year, 0)
    ]
