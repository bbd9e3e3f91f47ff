"""Reading a register's indicators: the filtered list, one indicator with its targets and
current outcomes, and an indicator's full history (corrections included)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service.models import Indicator, Register
from indicator_service.repository import indicators as indicator_queries
from indicator_service.repository import outcomes as outcome_queries
from indicator_service.schemas_out import IndicatorOut, IndicatorSummary, OutcomeOut
from indicator_service.use_cases.presenting import indicator_summary, outcome_out, target_out
from municipal_shared.kit.pagination import Page, Pagination, fetch_page
from municipal_shared.kit.problems import NotFound


async def find_indicator(session: AsyncSession, register: Register, code: str) -> Indicator:
    indicator = await indicator_queries.get_indicator(session, register.id, code)
    if indicator is None:
        raise NotFound(f"Register has no indicator {code}")
    return indicator


async def list_indicators(
    session: AsyncSession,
    register: Register,
    page: Pagination,
    group: str | None,
    focus_area: str | None,
    council_goal: int | None,
) -> Page[IndicatorSummary]:
    query = indicator_queries.indicators_query(register.id, group, focus_area, council_goal)
    rows, total = await fetch_page(session, query, page)
    return page.of([indicator_summary(register, i) for i in rows], total)


async def read_indicator(session: AsyncSession, register: Register, code: str) -> IndicatorOut:
    indicator = await find_indicator(session, register, code)
    outcomes = await outcome_queries.current_outcomes(
        session, register.id, indicator_id=indicator.id, gender=None
    )
    return IndicatorOut(
        **indicator_summary(register, indicator).model_dump(),
        definition=indicator.definition,
        fed_by=indicator.fed_by,
        tolerance_percent=indicator.tolerance_percent,
        tolerance_source=indicator.tolerance_source,
        footnotes=list(indicator.footnotes),
        targets=[target_out(t) for t in indicator.targets],
        outcomes=[outcome_out(o) for o in outcomes],
    )


async def outcome_history(
    session: AsyncSession, register: Register, code: str, page: Pagination, period: str | None
) -> Page[OutcomeOut]:
    indicator = await find_indicator(session, register, code)
    query = outcome_queries.history_query(indicator.id, period)
    rows, total = await fetch_page(session, query, page)
    return page.of([outcome_out(o) for o in rows], total)
