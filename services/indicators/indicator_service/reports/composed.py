"""Use cases of the composed tertial report: the register's report with the budget follow-up
and the procurement measurement, read over HTTP against the shared contracts. Read it (live,
or frozen once approved) and approve it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service import repository as repo
from indicator_service.models import AuditEntry, Register, ReportApproval
from indicator_service.reports.sections import (
    Section,
    budget_url,
    procurement_url,
    read_section,
)
from indicator_service.reports.snapshot import ComposedReport, frozen
from indicator_service.reports.tertial import build_report, check_year
from municipal_shared.contracts.budget import BudgetFollowUp
from municipal_shared.contracts.procurement import ProcurementMeasurement
from municipal_shared.kit.database import commit, utc_now
from municipal_shared.kit.problems import Conflict
from municipal_shared.types import Tertial


@dataclass(frozen=True)
class Peers:
    """How the services the report composes are reached. The client's auth carries the
    peer token (kit/peer_tokens.py), so no request here adds one."""

    client: httpx.AsyncClient
    budget_url: str
    procurement_url: str


async def live_report(
    session: AsyncSession, peers: Peers, register: Register, year: int, tertial: Tertial
) -> ComposedReport:
    m, b = register.municipality_code, register.board_code
    headers: dict[str, str] = {}  # the bearer token comes from the client's auth
    # Both peers are read at once, while this service builds its own section.
    async with asyncio.TaskGroup() as group:
        budget = group.create_task(
            read_section(
                peers.client,
                budget_url(peers.budget_url, m, b, year, tertial),
                BudgetFollowUp,
                headers,
            )
        )
        procurement = group.create_task(
            read_section(
                peers.client,
                procurement_url(peers.procurement_url, m, year, tertial),
                ProcurementMeasurement,
                headers,
            )
        )
        own = await build_report(session, register, year, tertial)
    return ComposedReport(
        municipality_code=m,
        board_code=b,
        year=year,
        tertial=tertial,
        approved=False,
        sections={
            "indicators": Section(
                source=f"/v1/registers/{m}/{b}/reports/{year}/{tertial}",
                retrieved_at=utc_now(),
                status="available",
                data=own.model_dump(mode="json"),
            ),
            "budget": budget.result(),
            "procurement": procurement.result(),
        },
    )


def approval_blockers(live: ComposedReport) -> list[str]:
    """A report is approved whole or not at all: every section must have been read."""
    return [name for name, section in live.sections.items() if section.status != "available"]


async def read(
    session: AsyncSession, peers: Peers, register: Register, year: int, tertial: Tertial
) -> ComposedReport:
    check_year(register, year)
    live = await live_report(session, peers, register, year, tertial)
    approval = await repo.report_approval(session, register.id, year, tertial)
    return live if approval is None else frozen(approval, live)


async def approve(
    session: AsyncSession,
    peers: Peers,
    register: Register,
    year: int,
    tertial: Tertial,
    *,
    decision_reference: str,
    reason: str,
    actor: str,
) -> ComposedReport:
    """Freeze the report as it is now. A second approval is a conflict, also when two race:
    the unique key on (register, year, tertial) lets only one commit."""
    check_year(register, year)
    if await repo.report_approval(session, register.id, year, tertial) is not None:
        raise Conflict(f"The {year} {tertial} report is approved already")
    live = await live_report(session, peers, register, year, tertial)
    missing = approval_blockers(live)
    if missing:
        raise Conflict(
            f"Cannot approve while {', '.join(missing)} is unavailable", sections=missing
        )
    approval = ReportApproval(
        register_id=register.id,
        year=year,
        tertial=tertial.value,
        decision_reference=decision_reference,
        approved_by=actor,
        approved_at=utc_now(),
        snapshot=live.model_dump(mode="json"),
    )
    session.add(approval)
    session.add(
        AuditEntry(
            register_id=register.id,
            actor=actor,
            action="report.approved",
            target=f"{register.municipality_code}/{register.board_code}/{year}/{tertial}",
            reason=reason,
            changes=[{"path": "/approval", "old": None, "new": decision_reference}],
        )
    )
    await commit(session)
    return frozen(approval, live)
