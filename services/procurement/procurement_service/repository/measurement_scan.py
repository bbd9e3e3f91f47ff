"""The measurement's counts by scanning the procurements and their bidders: how every figure
was counted before the per-day summary (repository/summary.py), kept as the reference the
summary is tested against (tests/test_summary_property.py) and as the "hand SQL" anchor of
bench/ (`scan_figures`). The service reads the summary instead: at 1,000,000 procurements
this scan takes seconds, the summary milliseconds.

Every count is over the procurements of a municipality (one administration, if given) whose
award decision falls in the window; "set and signed" counts by the contract signing date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from procurement_service.models import Bidder, Procurement, QualityWarning
from procurement_service.rules.measurement import Figures, Rule, figures_of
from procurement_service.rules.measurement_counts import (
    CompetitionCounts,
    Counts,
    DirectAwardCounts,
    EmploymentCounts,
    SizeClassCounts,
)
from procurement_service.vocabulary import SME_CLASSES, BidderCount, Procedure, SizeClass


@dataclass(frozen=True)
class Scope:
    municipality_code: str
    administration: str | None
    start: dt.date
    end: dt.date  # inclusive

    def owner(self) -> list[Any]:
        conditions = [Procurement.municipality_code == self.municipality_code]
        if self.administration:
            conditions.append(Procurement.administration == self.administration)
        return conditions

    def awarded(self) -> list[Any]:
        return [*self.owner(), _in_window(Procurement.award_date, self)]


def _in_window(column: Any, scope: Scope) -> Any:
    return and_(column >= scope.start, column <= scope.end)


def _counted(condition: Any) -> Any:
    """How many rows meet the condition; a condition that is unknown (NULL) is not met."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _decided(condition: Any) -> Any:
    """How many rows the condition can be decided for (true or false, not NULL)."""
    return func.coalesce(func.sum(case((condition.is_(None), 0), else_=1)), 0)


async def competition(session: AsyncSession, scope: Scope) -> CompetitionCounts:
    """Over the procurements whose bidder count is known: listed, else reported (OCDS
    numberOfTenderers). Tenders and variants (`bids`) are known only where bidders are listed."""
    awarded = scope.awarded()
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
    return CompetitionCounts(
        procurements,
        counted,
        bidders,
        single,
        on_reported,
        on_listed,
        bids,
        middle_sum,
        middle_count,
    )


async def size_classes(session: AsyncSession, scope: Scope) -> SizeClassCounts:
    awarded = scope.awarded()
    known = Bidder.size_class != SizeClass.NO_DATA.value
    sme = Bidder.size_class.in_([c.value for c in SME_CLASSES])
    counted = _counted
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
    values = (int(v) for v in (await session.execute(totals)).one())
    return SizeClassCounts(bidders, winners, *values)


async def employment(
    session: AsyncSession,
    scope: Scope,
    categories: tuple[str, ...],
    min_execution_days: int,
    min_employees: int,
) -> EmploymentCounts:
    """SQL's three-valued logic keeps unknown unknown: a procurement without a category,
    execution time or employee count cannot be said to meet the rule unless another part
    already fails it (goods, a short contract), so the figures that need the rule rest only
    on the procurements where it can be decided."""
    owner, awarded = scope.owner(), scope.awarded()
    candidate = and_(
        Procurement.category.in_(categories),
        Procurement.execution_days > min_execution_days,
        Procurement.employees_needed >= min_employees,
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
    signed_in_window = _in_window(Procurement.contract_signed_date, scope)
    signed = select(_counted(is_set), func.count()).where(*owner, signed_in_window)
    signed_count, signed_procurements = (int(v) for v in (await session.execute(signed)).one())
    reasons_query = (
        select(func.coalesce(Procurement.requirement_reason, literal("")), func.count())
        .where(*awarded, candidate, ~func.coalesce(is_set, False))
        .group_by(Procurement.requirement_reason)
        # Ties in the order of the reasons' text (the summary orders them the same way).
        .order_by(func.count().desc(), func.coalesce(Procurement.requirement_reason, ""))
    )
    reasons = [(reason or None, int(n)) for reason, n in await session.execute(reasons_query)]
    return EmploymentCounts(
        procurements,
        candidates,
        candidates_decided,
        eligibles,
        eligibles_decided,
        set_,
        eligible_set,
        eligible_unset,
        signed_count,
        signed_procurements,
        reasons,
    )


async def direct_awards(
    session: AsyncSession, scope: Scope, threshold_sek: Decimal
) -> DirectAwardCounts:
    """The threshold is in SEK: a direct award valued in another currency (or none) is left
    out and counted, never converted at a guessed rate."""
    in_award = Procurement.awarded_value.is_not(None)
    value = case((in_award, Procurement.awarded_value), else_=Procurement.estimated_value)
    currency = case(
        (in_award, Procurement.awarded_value_currency), else_=Procurement.estimated_value_currency
    )
    direct = Procurement.procedure == Procedure.DIRECT_AWARD.value
    in_sek = func.coalesce(currency, "") == "SEK"
    above = and_(direct, in_sek, value > threshold_sek)
    query = select(
        _decided(direct),
        _counted(above),
        _counted(and_(above, Procurement.advertised.is_(True))),
        _counted(and_(direct, value.is_not(None), ~in_sek)),
    ).where(*scope.awarded())
    return DirectAwardCounts(*(int(v) for v in (await session.execute(query)).one()))


async def quality(session: AsyncSession, scope: Scope) -> list[tuple[str, int]]:
    """Per warning code, how many of the period's procurements carry it."""
    query = (
        select(QualityWarning.code, func.count(func.distinct(QualityWarning.procurement_id)))
        .join(Procurement, Procurement.id == QualityWarning.procurement_id)
        .where(*scope.awarded())
        .group_by(QualityWarning.code)
        .order_by(QualityWarning.code)
    )
    return [(code, int(n)) for code, n in await session.execute(query)]


async def scan_counts(session: AsyncSession, scope: Scope, rule: Rule) -> Counts:
    employment_counts = await employment(
        session, scope, rule.categories, rule.min_execution_days, rule.min_employees
    )
    return Counts(
        competition=await competition(session, scope),
        size_classes=await size_classes(session, scope),
        employment=employment_counts,
        direct_awards=await direct_awards(session, scope, rule.direct_award_threshold_sek),
        quality=await quality(session, scope),
    )


async def scan_figures(
    session: AsyncSession,
    municipality_code: str,
    start: dt.date,
    end: dt.date,
    administration: str | None,
    rule: Rule,
) -> Figures:
    """The figures of a window (`end` inclusive) by a full scan: what the summary-based
    measurement must equal, exactly."""
    scope = Scope(municipality_code, administration, start, end)
    return figures_of(await scan_counts(session, scope, rule), rule)
