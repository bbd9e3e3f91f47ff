"""Use cases of the composed tertial report: the register's report with the budget follow-up
and the procurement measurement, read over HTTP against the shared contracts. Read it (live,
or frozen once approved) and approve it. A peer that is down or drifts from its contract
makes its section unavailable, never a 500."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service.models import AuditEntry, Register, ReportApproval
from indicator_service.repository import reports as report_queries
from indicator_service.rules.approved_report import approval_blockers, frozen
from indicator_service.rules.tertial_report import check_year
from indicator_service.schemas import ApprovalIn
from indicator_service.schemas_out import ComposedReport, Section
from indicator_service.use_cases.tertial_report import build_report
from municipal_shared.contracts.budget import BudgetFollowUp
from municipal_shared.contracts.procurement import ProcurementMeasurement
from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.database import commit, utc_now
from municipal_shared.kit.peers import read_contract
from municipal_shared.kit.problems import Conflict
from municipal_shared.types import Tertial


class Peers:
    """The services the report composes, each document read against its shared contract.
    The client is the app's (kit peer_client): it carries the peer token and the request id,
    so nothing here adds a header."""

    def __init__(self, client: httpx.AsyncClient, budget_url: str, procurement_url: str) -> None:
        self.client = client
        self.budget_url = budget_url
        self.procurement_url = procurement_url

    async def budget_follow_up(
        self, municipality: str, board: str, year: int, tertial: Tertial
    ) -> Section:
        url = f"{self.budget_url}/v1/budgets/{municipality}/{board}/{year}/follow-up/{tertial}"
        reading = await read_contract(self.client, url, BudgetFollowUp)
        return Section.model_validate(reading.model_dump())

    async def procurement_measurement(
        self, municipality: str, year: int, tertial: Tertial
    ) -> Section:
        url = f"{self.procurement_url}/v1/measurements/{municipality}/{year}/{tertial}"
        reading = await read_contract(self.client, url, ProcurementMeasurement)
        return Section.model_validate(reading.model_dump())


async def read(
    session: AsyncSession, peers: Peers, register: Register, year: int, tertial: Tertial
) -> ComposedReport:
    """The live report, or the approved snapshot with what changed since."""
    check_year(register, year)
    live = await _live_report(session, peers, register, year, tertial)
    approval = await report_queries.report_approval(session, register.id, year, tertial)
    return live if approval is None else frozen(approval, live)


async def approve(
    session: AsyncSession,
    peers: Peers,
    register: Register,
    year: int,
    tertial: Tertial,
    body: ApprovalIn,
    actor: str,
) -> ComposedReport:
    """Freeze the report as it is now. A second approval is a conflict, also when two race:
    the unique key on (register, year, tertial) lets only one commit."""
    check_year(register, year)
    if await report_queries.report_approval(session, register.id, year, tertial) is not None:
        raise Conflict(f"The {year} {tertial} report is approved already")
    live = await _live_report(session, peers, register, year, tertial)
    missing = approval_blockers(live)
    if missing:
        raise Conflict(
            f"Cannot approve while {', '.join(missing)} is unavailable", sections=missing
        )
    approval = ReportApproval(
        register_id=register.id,
        year=year,
        tertial=tertial.value,
        decision_reference=body.decision_reference,
        approved_by=actor,
        approved_at=utc_now(),
        snapshot=live.model_dump(mode="json"),
    )
    session.add(approval)
    record_audit(
        session,
        AuditEntry,
        register_id=register.id,
        actor=actor,
        action="report.approved",
        target=f"{register.municipality_code}/{register.board_code}/{year}/{tertial}",
        reason=body.reason,
        changes=[{"path": "/approval", "old": None, "new": body.decision_reference}],
    )
    await commit(session)
    return frozen(approval, live)


async def _live_report(
    session: AsyncSession, peers: Peers, register: Register, year: int, tertial: Tertial
) -> ComposedReport:
    m, b = register.municipality_code, register.board_code
    # Both peers are read at once, while this service builds its own section.
    async with asyncio.TaskGroup() as group:
        budget = group.create_task(peers.budget_follow_up(m, b, year, tertial))
        procurement = group.create_task(peers.procurement_measurement(m, year, tertial))
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
