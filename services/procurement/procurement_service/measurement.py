"""SME and employment-requirement measurement, counted in the database.

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
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

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
from procurement_service.models import Bidder, Procurement, QualityWarning
from procurement_service.vocabulary import SME_CLASSES, BidderCount, Procedure, SizeClass

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


def _in_window(column: Any, window: Window) -> Any:
    return and_(column >= window.start, column <= window.end)


def _scope(municipality_code: str, administration: str | None) -> list[Any]:
    conditions = [Procurement.municipality_code == municipality_code]
    if administration:
        conditions.append(Procurement.administration == administration)
    return conditions


async def measure(
    session: AsyncSession,
    municipality_code: str,
    window: Window,
    rule: Rule,
    administration: str | None = None,
) -> Figures:
    scope = _scope(municipality_code, administration)
    awarded = [*scope, _in_window(Procurement.award_date, window)]
    return Figures(
        competition=await _competition(session, awarded),
        size_classes=await _size_classes(session, awarded),
        employment_requirement=await _employment(session, scope, awarded, window, rule),
        direct_awards=await _direct_awards(session, awarded, rule),
        quality=await _quality(session, awarded),
    )


async def _competition(session: AsyncSession, awarded: list[Any]) -> Competition:
    """Over the procurements whose bidder count is known: listed, else reported (OCDS
    numberOfTenderers). Tenders and variants (`bids`) are known only where bidders are listed."""
    count = Procurement.bidder_count
    known = count.is_not(None)
    reported = Procurement.bidder_count_provenance == BidderCount.REPORTED.value
    listed = Procurement.bidder_count_provenance == BidderCount.LISTED.value
    totals = select(
        func.count(),
        func.count(count),
        func.coalesce(func.sum(count), 0),
        _counted(count == 1),
        _counted(and_(known, reported)),
        _counted(listed),
    ).where(*awarded)
    procurements, counted, bidders, single, on_reported, on_listed = (
        int(v) for v in (await session.execute(totals)).one()
    )
    bids_query = (
        select(func.coalesce(func.sum(Bidder.bids), 0))
        .join(Procurement, Procurement.id == Bidder.procurement_id)
        .where(*awarded, listed)
    )
    bids = int((await session.execute(bids_query)).scalar_one())
    ordered = (
        select(
            count.label("n"),
            func.row_number().over(order_by=count).label("rn"),
            func.count().over().label("c"),
        )
        .where(*awarded, known)
        .subquery()
    )
    middle = select(func.coalesce(func.sum(ordered.c.n), 0), func.count()).where(
        or_(ordered.c.rn == (ordered.c.c + 1) // 2, ordered.c.rn == (ordered.c.c + 2) // 2)
    )
    middle_sum, middle_count = (int(v) for v in (await session.execute(middle)).one())
    return Competition(
        procurements=procurements,
        bids=measured_count(bids, on_listed),
        bidders=measured_count(bidders, counted),
        bidders_per_procurement_mean=measured_ratio(ratio(bidders, counted, MEAN), counted),
        bidders_per_procurement_median=measured_ratio(
            ratio(middle_sum, middle_count, MEAN), counted
        ),
        single_bidder_share=measured_ratio(ratio(single, counted), counted),
        procurements_with_reported_bidder_count=on_reported,
        procurements_with_unknown_bidder_count=procurements - counted,
    )


def _counted(condition: Any) -> Any:
    """How many rows meet the condition; a condition that is unknown (NULL) is not met."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _decided(condition: Any) -> Any:
    """How many rows the condition can be decided for (true or false, not NULL)."""
    return func.coalesce(func.sum(case((condition.is_(None), 0), else_=1)), 0)


async def _size_classes(session: AsyncSession, awarded: list[Any]) -> SizeClasses:
    known = Bidder.size_class != SizeClass.NO_DATA.value
    sme = Bidder.size_class.in_([c.value for c in SME_CLASSES])

    def counted(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    per = (
        select(
            Procurement.id.label("id"),
            # All its bidders are listed, not only the suppliers standing in for a field
            # that was merely counted (their sizes would say who won, not who bid).
            case((Procurement.bidder_count == func.count(Bidder.id), 1), else_=0).label("complete"),
            counted(known).label("known"),
            counted(Bidder.is_winner).label("winners"),
            counted(and_(Bidder.is_winner, known)).label("known_winners"),
            counted(and_(Bidder.is_winner, sme)).label("sme_winners"),
            func.count(Bidder.id).label("bidders"),
        )
        .select_from(Procurement)
        .outerjoin(Bidder, Bidder.procurement_id == Procurement.id)
        .where(*awarded)
        .group_by(Procurement.id, Procurement.bidder_count)
        .subquery()
    )
    by_class = (
        select(Bidder.size_class, counted(per.c.complete == 1), counted(Bidder.is_winner))
        .join(per, per.c.id == Bidder.procurement_id)
        .group_by(Bidder.size_class)
    )
    bidders = {c.value: 0 for c in SizeClass}
    winners = {c.value: 0 for c in SizeClass}
    for cls, count, won in await session.execute(by_class):
        bidders[cls], winners[cls] = int(count), int(won)
    sized = and_(per.c.complete == 1, per.c.known > 0)
    sized_winner = per.c.known_winners > 0
    totals = select(
        func.count(),
        counted(per.c.complete == 1),
        counted(sized),
        func.coalesce(func.sum(case((sized, per.c.bidders), else_=0)), 0),
        counted(sized_winner),
        func.coalesce(func.sum(case((sized_winner, per.c.winners), else_=0)), 0),
        counted(per.c.sme_winners > 0),
    ).select_from(per)
    (
        procurements,
        listed,
        with_known_bidder,
        bidders_where_known,
        with_known_winner,
        winners_where_known,
        won_by_sme,
    ) = (int(v) for v in (await session.execute(totals)).one())
    known_bidders = sum(bidders.values()) - bidders[SizeClass.NO_DATA]
    sme_bidders = sum(bidders[c] for c in SME_CLASSES)
    known_winners = sum(winners.values()) - winners[SizeClass.NO_DATA]
    sme_winners = sum(winners[c] for c in SME_CLASSES)
    return SizeClasses(
        bidders_by_class={cls: measured_count(n, listed) for cls, n in bidders.items()},
        bidders_with_known_size=measured_count(known_bidders, listed),
        sme_bidders=measured_count(sme_bidders, with_known_bidder),
        sme_share_of_bidders=measured_ratio(
            ratio(sme_bidders, bidders_where_known), with_known_bidder
        ),
        sme_share_of_bidders_with_known_size=measured_ratio(
            ratio(sme_bidders, known_bidders), with_known_bidder
        ),
        winners_by_class={cls: measured_count(n, procurements) for cls, n in winners.items()},
        winners_with_known_size=measured_count(known_winners, procurements),
        sme_winners=measured_count(sme_winners, with_known_winner),
        sme_share_of_winners=measured_ratio(
            ratio(sme_winners, winners_where_known), with_known_winner
        ),
        sme_share_of_winners_with_known_size=measured_ratio(
            ratio(sme_winners, known_winners), with_known_winner
        ),
        procurements_won_by_sme=measured_count(won_by_sme, with_known_winner),
    )


async def _employment(
    session: AsyncSession, scope: list[Any], awarded: list[Any], window: Window, rule: Rule
) -> EmploymentRequirement:
    """SQL's three-valued logic keeps unknown unknown: a procurement without a category,
    execution time or employee count cannot be said to meet the rule unless another part
    already fails it (goods, a short contract), so the figures that need the rule rest only
    on the procurements where it can be decided."""
    candidate = and_(
        Procurement.category.in_(rule.categories),
        Procurement.execution_days > rule.min_execution_days,
        Procurement.employees_needed >= rule.min_employees,
    )
    eligible = and_(candidate, Procurement.requirement_suitable.is_(True))
    is_set = Procurement.requirement_set.is_(True)
    eligible_not_set = and_(eligible, ~func.coalesce(is_set, False))

    query = select(
        func.count(),
        _counted(candidate),
        _decided(candidate),
        _counted(eligible),
        _decided(eligible),
        _counted(is_set),
        _counted(and_(eligible, is_set)),
        _counted(eligible_not_set),
    ).where(*awarded)
    (
        procurements,
        candidates,
        candidates_decided,
        eligibles,
        eligibles_decided,
        set_,
        eligible_set,
        eligible_unset,
    ) = (int(v) for v in (await session.execute(query)).one())
    signed = select(func.count()).where(
        *scope, is_set, _in_window(Procurement.contract_signed_date, window)
    )
    signed_count = int((await session.execute(signed)).scalar_one())
    signed_base = select(func.count()).where(
        *scope, _in_window(Procurement.contract_signed_date, window)
    )
    signed_procurements = int((await session.execute(signed_base)).scalar_one())
    reasons_query = (
        select(func.coalesce(Procurement.requirement_reason, literal("")), func.count())
        .where(*awarded, candidate, ~func.coalesce(is_set, False))
        .group_by(Procurement.requirement_reason)
        .order_by(func.count().desc())
    )
    reasons = [
        NotSetReason(reason=reason or None, procurements=int(n))
        for reason, n in await session.execute(reasons_query)
    ]
    return EmploymentRequirement(
        rule=RequirementRule(
            categories=list(rule.categories),
            more_than_days=rule.min_execution_days,
            min_employees=rule.min_employees,
            judged_suitable=True,
        ),
        procurements=procurements,
        meeting_the_objective_criteria=measured_count(candidates, candidates_decided),
        eligible=measured_count(eligibles, eligibles_decided),
        set=measured_count(set_, procurements),
        eligible_and_set=measured_count(eligible_set, eligibles_decided),
        eligible_but_not_set=measured_count(eligible_unset, eligibles_decided),
        set_and_contract_signed=measured_count(signed_count, signed_procurements),
        not_set_reasons=reasons,
        procurements_rule_undecided=procurements - candidates_decided,
    )


async def _direct_awards(session: AsyncSession, awarded: list[Any], rule: Rule) -> DirectAwards:
    """The threshold is in SEK: a direct award valued in another currency (or none) is left
    out and counted, never converted at a guessed rate."""
    in_award = Procurement.awarded_value.is_not(None)
    value = case((in_award, Procurement.awarded_value), else_=Procurement.estimated_value)
    currency = case(
        (in_award, Procurement.awarded_value_currency), else_=Procurement.estimated_value_currency
    )
    direct = Procurement.procedure == Procedure.DIRECT_AWARD.value
    in_sek = func.coalesce(currency, "") == "SEK"
    above = and_(direct, in_sek, value > rule.direct_award_threshold_sek)
    query = select(
        _decided(direct),
        _counted(above),
        _counted(and_(above, Procurement.advertised.is_(True))),
        _counted(and_(direct, value.is_not(None), ~in_sek)),
    ).where(*awarded)
    decided, above_count, advertised, not_in_sek = (
        int(v) for v in (await session.execute(query)).one()
    )
    return DirectAwards(
        threshold_sek=rule.direct_award_threshold_sek,
        above_threshold=measured_count(above_count, decided - not_in_sek),
        above_threshold_advertised=measured_count(advertised, above_count),
        advertised_share=measured_ratio(ratio(advertised, above_count), above_count),
        left_out_not_in_sek=not_in_sek,
    )


async def _quality(session: AsyncSession, awarded: list[Any]) -> list[QualityCount]:
    """Per warning code, how many of the period's procurements carry it."""
    query = (
        select(QualityWarning.code, func.count(func.distinct(QualityWarning.procurement_id)))
        .join(Procurement, Procurement.id == QualityWarning.procurement_id)
        .where(*awarded)
        .group_by(QualityWarning.code)
        .order_by(QualityWarning.code)
    )
    return [
        QualityCount(code=code, procurements=int(n)) for code, n in await session.execute(query)
    ]
