"""The per-day summary's rows as SQL counts them from the procurements: one statement per part
of the summary, over any set of procurements (`where`), grouped by the summary's key.

Why one set of statements: the increments of a write (the procurements it changes, counted
before and after the change), the rebuild of a municipality when its rule changes, and the
migration's backfill all run these, so the summary is counted the one way, and with the same
expressions as the full scan (repository/measurement_scan.py), three-valued logic included:
a count summed over the days of a window is the scan's count over that window."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, Table, and_, case, func, select
from sqlalchemy.sql.expression import Subquery

from procurement_service.models import (
    SIZE_CLASS_NAMES,
    SUMMARY_BIDDER_COUNT,
    SUMMARY_DAY,
    SUMMARY_REASON,
    SUMMARY_WARNING,
    Bidder,
    Procurement,
    QualityWarning,
)
from procurement_service.rules.measurement import Rule
from procurement_service.vocabulary import SME_CLASSES, BidderCount, Procedure, SizeClass

P = Procurement
ADMINISTRATION = func.coalesce(P.administration, "")  # the key holds '' for none


def _counted(condition: Any) -> Any:
    """How many rows meet the condition; a condition that is unknown (NULL) is not met."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _decided(condition: Any) -> Any:
    """How many rows the condition can be decided for (true or false, not NULL)."""
    return func.coalesce(func.sum(case((condition.is_(None), 0), else_=1)), 0)


def _sum(value: Any) -> Any:
    return func.coalesce(func.sum(value), 0)


def _keyed(day: Any, where: Any, *counts: Any) -> Select[Any]:
    key = (P.municipality_code, day, ADMINISTRATION)
    labelled = (P.municipality_code, day.label("day"), ADMINISTRATION.label("administration"))
    return select(*labelled, *counts).where(where, day.is_not(None)).group_by(*key)


def _per_procurement(where: Any) -> Subquery:
    """Each awarded procurement's bidders in numbers (bidders outer-joined: none is zero)."""
    known = Bidder.size_class != SizeClass.NO_DATA.value
    sme = Bidder.size_class.in_([c.value for c in SME_CLASSES])
    winner = Bidder.is_winner
    columns = {
        "listed_bidders": func.count(Bidder.id),
        "bids": _sum(Bidder.bids),
        "known": _counted(known),
        "winners": _counted(winner),
        "known_winners": _counted(and_(winner, known)),
        "sme_winners": _counted(and_(winner, sme)),
        **{f"b_{c}": _counted(Bidder.size_class == c) for c in SIZE_CLASS_NAMES},
        **{f"w_{c}": _counted(and_(winner, Bidder.size_class == c)) for c in SIZE_CLASS_NAMES},
    }
    return (
        select(P.id.label("id"), *(e.label(n) for n, e in columns.items()))
        .select_from(P)
        .outerjoin(Bidder, Bidder.procurement_id == P.id)
        .where(where, P.award_date.is_not(None))
        .group_by(P.id)
        .subquery()
    )


def _candidate(rule: Rule) -> Any:
    return and_(
        P.category.in_(rule.categories),
        P.execution_days > rule.min_execution_days,
        P.employees_needed >= rule.min_employees,
    )


def awarded_counts(where: Any, rule: Rule) -> Select[Any]:
    """Per award day: every count but the signing date's."""
    per = _per_procurement(where)
    count = P.bidder_count
    listed = P.bidder_count_provenance == BidderCount.LISTED.value
    reported = P.bidder_count_provenance == BidderCount.REPORTED.value
    # All its bidders are listed (NULL when the count is unknown: then not complete).
    complete = P.bidder_count == per.c.listed_bidders
    sized = and_(complete, per.c.known > 0)
    sized_winner = per.c.known_winners > 0
    candidate = _candidate(rule)
    eligible = and_(candidate, P.requirement_suitable.is_(True))
    is_set = P.requirement_set.is_(True)
    in_award = P.awarded_value.is_not(None)
    value = case((in_award, P.awarded_value), else_=P.estimated_value)
    currency = case((in_award, P.awarded_value_currency), else_=P.estimated_value_currency)
    direct = P.procedure == Procedure.DIRECT_AWARD.value
    in_sek = func.coalesce(currency, "") == "SEK"
    above = and_(direct, in_sek, value > rule.direct_award_threshold_sek)
    counts: dict[str, Any] = {
        "procurements": func.count(),
        "counted": func.count(count),
        "bidders": _sum(count),
        "single": _counted(count == 1),
        "on_reported": _counted(and_(count.is_not(None), reported)),
        "on_listed": _counted(listed),
        "bids": _sum(case((listed, per.c.bids), else_=0)),
        **{
            f"bidders_{c}": _sum(case((complete, per.c[f"b_{c}"]), else_=0))
            for c in SIZE_CLASS_NAMES
        },
        **{f"winners_{c}": _sum(per.c[f"w_{c}"]) for c in SIZE_CLASS_NAMES},
        "listed": _counted(complete),
        "with_known_bidder": _counted(sized),
        "bidders_where_known": _sum(case((sized, per.c.listed_bidders), else_=0)),
        "with_known_winner": _counted(sized_winner),
        "winners_where_known": _sum(case((sized_winner, per.c.winners), else_=0)),
        "won_by_sme": _counted(per.c.sme_winners > 0),
        "candidates": _counted(candidate),
        "candidates_decided": _decided(candidate),
        "eligibles": _counted(eligible),
        "eligibles_decided": _decided(eligible),
        "requirement_set": _counted(is_set),
        "eligible_set": _counted(and_(eligible, is_set)),
        "eligible_unset": _counted(and_(eligible, ~func.coalesce(is_set, False))),
        "direct_decided": _decided(direct),
        "above_threshold": _counted(above),
        "above_advertised": _counted(and_(above, P.advertised.is_(True))),
        "not_in_sek": _counted(and_(direct, value.is_not(None), ~in_sek)),
    }
    labelled = [e.label(n) for n, e in counts.items()]
    return _keyed(P.award_date, where, *labelled).join_from(P, per, per.c.id == P.id)


def signed_counts(where: Any) -> Select[Any]:
    """Per contract signing day: the procurements signed, and those with the requirement set."""
    is_set = P.requirement_set.is_(True)
    signed = (func.count().label("signed_procurements"), _counted(is_set).label("signed_set"))
    return _keyed(P.contract_signed_date, where, *signed)


def bidder_count_counts(where: Any) -> Select[Any]:
    """Per award day and known bidder count: how many procurements had it."""
    counted = and_(where, P.bidder_count.is_not(None))
    query = _keyed(P.award_date, counted, P.bidder_count, func.count().label("procurements"))
    return query.group_by(P.bidder_count)


def reason_counts(where: Any, rule: Rule) -> Select[Any]:
    """Per award day and reason: candidates by the rule's objective criteria with no
    requirement set (the reason NULL, or any text, as given)."""
    not_set = ~func.coalesce(P.requirement_set.is_(True), False)
    chosen = and_(where, _candidate(rule), not_set)
    query = _keyed(
        P.award_date,
        chosen,
        P.requirement_reason.label("reason"),
        func.count().label("procurements"),
    )
    return query.group_by(P.requirement_reason)


def warning_counts(where: Any) -> Select[Any]:
    """Per award day and warning code: the procurements carrying it (once, however often)."""
    carrying = func.count(func.distinct(QualityWarning.procurement_id)).label("procurements")
    query = _keyed(P.award_date, where, QualityWarning.code, carrying)
    return query.join_from(P, QualityWarning, QualityWarning.procurement_id == P.id).group_by(
        QualityWarning.code
    )


def statements(where: Any, rule: Rule) -> list[tuple[Table, Select[Any]]]:
    """Every part of the summary for the procurements `where` selects, each with its table."""
    return [
        (SUMMARY_DAY, awarded_counts(where, rule)),
        (SUMMARY_DAY, signed_counts(where)),
        (SUMMARY_BIDDER_COUNT, bidder_count_counts(where)),
        (SUMMARY_REASON, reason_counts(where, rule)),
        (SUMMARY_WARNING, warning_counts(where)),
    ]


SUMMARY_TABLES = (SUMMARY_DAY, SUMMARY_BIDDER_COUNT, SUMMARY_REASON, SUMMARY_WARNING)
