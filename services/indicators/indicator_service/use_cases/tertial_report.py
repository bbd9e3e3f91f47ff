"""Use case of the tertial report: every indicator with its outcome, target and evaluation,
rolled up per council goal and focus area. Reads only; the rules it applies are in
rules/tertial_report.py."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service.models import Outcome, Register
from indicator_service.repository import indicators as indicator_queries
from indicator_service.repository import outcomes as outcome_queries
from indicator_service.repository import registers as register_queries
from indicator_service.repository import reports as report_queries
from indicator_service.rules.tertial_report import (
    check_year,
    choose_outcome,
    evaluate_indicator,
    is_lagging,
)
from indicator_service.schemas_out import ReportRow, TertialReport
from indicator_service.use_cases.assignments import assignments_section
from indicator_service.use_cases.presenting import (
    evaluation_out,
    indicator_summary,
    outcome_out,
    roll_up_out,
    target_out,
)
from indicator_service.use_cases.registers import find_register
from municipal_shared.kit.database import utc_now
from municipal_shared.kit.documents import Rendered
from municipal_shared.types import Tertial


async def tertial_report(
    session: AsyncSession, register: Register, year: int, tertial: Tertial
) -> TertialReport:
    check_year(register, year)
    return await build_report(session, register, year, tertial)


async def report_document(
    session: AsyncSession, municipality_code: str, board_code: str, year: int, tertial: Tertial
) -> Rendered:
    """The report as the bytes to serve and store (kit/documents.py)."""
    register = await find_register(session, municipality_code, board_code)
    report = await tertial_report(session, register, year, tertial)
    return Rendered.of(report)


async def build_report(
    session: AsyncSession, register: Register, year: int, tertial: Tertial
) -> TertialReport:
    """The report of a year the caller has checked is the register's."""
    indicators = list((await indicator_queries.indicators_by_code(session, register.id)).values())
    outcomes: dict[int, list[Outcome]] = defaultdict(list)
    for outcome in await outcome_queries.current_outcomes(session, register.id, up_to_year=year):
        outcomes[outcome.indicator_id].append(outcome)
    assessments = await report_queries.latest_assessments(session, register.id, year)
    rows: list[ReportRow] = []
    for indicator in indicators:
        target = next((t for t in indicator.targets if t.year == year), None)
        chosen = choose_outcome(indicator, outcomes[indicator.id], year, tertial)
        evaluation = evaluate_indicator(
            register,
            indicator,
            target,
            chosen,
            outcomes[indicator.id],
            assessments.get(indicator.id),
        )
        rows.append(
            ReportRow(
                indicator=indicator_summary(register, indicator),
                target=None if target is None else target_out(target),
                outcome=None if chosen is None else outcome_out(chosen),
                reference_period=None if chosen is None else chosen.period,
                lagging=is_lagging(chosen, year),
                evaluation=evaluation_out(evaluation),
            )
        )
    status = {row.indicator.code: row.evaluation.status for row in rows}
    assignments = await assignments_section(session, register, year, tertial, indicators, rows)
    goals = await register_queries.council_goals(session, register.id)
    areas = await register_queries.focus_areas(session, register.id)
    return TertialReport(
        municipality_code=register.municipality_code,
        board_code=register.board_code,
        year=year,
        tertial=tertial,
        period=f"{year}-{tertial}",
        period_end=tertial.period_end(year),
        generated_at=utc_now(),
        rows=rows,
        council_goals=[
            roll_up_out(
                str(g.number),
                g.title,
                (
                    status[i.code]
                    for i in indicators
                    if g.number in {x.number for x in i.council_goals}
                ),
            )
            for g in goals
        ],
        focus_areas=[
            roll_up_out(
                a.code,
                a.name,
                (status[i.code] for i in indicators if a.code in {x.code for x in i.focus_areas}),
            )
            for a in areas
        ],
        overall=roll_up_out("all", register.name, status.values()),
        assignments=assignments,
    )
