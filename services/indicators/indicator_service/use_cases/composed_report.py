"""Use cases of the composed tertial report: the register's report with the budget follow-up
and the procurement measurement, read over HTTP against the shared contracts. Read it (live,
or frozen once approved) and approve it. A peer that is down or drifts from its contract
makes its section unavailable, never a 500."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service.models import AuditEntry, Register, ReportApproval
from indicator_service.repository import reports as report_queries
from indicator_service.rules.approved_report import approval_blockers, frozen
from indicator_service.rules.tertial_report import check_year
from indicator_service.schemas import ApprovalIn
from indicator_service.schemas_out import ComposedReport, Section, TertialReport
from indicator_service.use_cases.registers import find_register
from indicator_service.use_cases.tertial_report import build_report
from municipal_shared.contracts.budget import BudgetFollowUp
from municipal_shared.contracts.procurement import ProcurementMeasurement
from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.database import commit, utc_now
from municipal_shared.kit.documents import Rendered
from municipal_shared.kit.peers import PeerReading, RevalidatingReader
from municipal_shared.kit.problems import Conflict
from municipal_shared.types import Tertial


@dataclass(frozen=True)
class PeerSection:
    reading: PeerReading
    etag: str | None  # the peer's validator; None when unavailable

    @cached_property
    def section(self) -> Section:
        """Built only when the report is rendered: a read served from the stored report needs
        the peers' ETags alone, not their documents checked once more."""
        return Section.model_validate(self.reading.model_dump())


class Peers:
    """The services the report composes, each document read against its shared contract and
    kept with its ETag, so the next read revalidates it (If-None-Match) instead of reading it
    again. The client is the app's (kit peer_client): it carries the peer token and the
    request id, so nothing here adds a header."""

    def __init__(self, client: httpx.AsyncClient, budget_url: str, procurement_url: str) -> None:
        self.reader = RevalidatingReader(client)
        self.budget_url = budget_url
        self.procurement_url = procurement_url

    async def budget_follow_up(
        self, municipality: str, board: str, year: int, tertial: Tertial
    ) -> PeerSection:
        url = f"{self.budget_url}/v1/budgets/{municipality}/{board}/{year}/follow-up/{tertial}"
        return _section(*await self.reader.read(url, BudgetFollowUp))

    async def procurement_measurement(
        self, municipality: str, year: int, tertial: Tertial
    ) -> PeerSection:
        url = f"{self.procurement_url}/v1/measurements/{municipality}/{year}/{tertial}"
        return _section(*await self.reader.read(url, ProcurementMeasurement))


def _section(reading: PeerReading, etag: str | None) -> PeerSection:
    return PeerSection(reading, etag)


@dataclass(frozen=True)
class ComposedDocument:
    """What the stored report depends on beyond this service's data (the peers' ETags, or
    why a peer is unavailable), and how to render it."""

    variant: str
    render: Callable[[AsyncSession], Awaitable[Rendered]]


async def document(
    peers: Peers,
    municipality_code: str,
    board_code: str,
    year: int,
    tertial: Tertial,
) -> ComposedDocument:
    """The live report, or the approved snapshot with what changed since; the peers are
    revalidated first, the register's part only rendered when something changed."""
    budget, procurement = await _peer_sections(peers, municipality_code, board_code, year, tertial)

    async def render(session: AsyncSession) -> Rendered:
        register = await find_register(session, municipality_code, board_code)
        check_year(register, year)
        own = await build_report(session, register, year, tertial)
        live = _compose(register, year, tertial, own, budget.section, procurement.section)
        approval = await report_queries.report_approval(session, register.id, year, tertial)
        report = live if approval is None else frozen(approval, live)
        return Rendered.of(report)

    return ComposedDocument(_variant(budget, procurement), render)


def _variant(*sections: PeerSection) -> str:
    return "|".join(s.etag or f"{s.reading.status}:{s.reading.detail}" for s in sections)


async def _peer_sections(
    peers: Peers, municipality: str, board: str, year: int, tertial: Tertial
) -> tuple[PeerSection, PeerSection]:
    async with asyncio.TaskGroup() as group:  # both peers at once
        budget = group.create_task(peers.budget_follow_up(municipality, board, year, tertial))
        procurement = group.create_task(peers.procurement_measurement(municipality, year, tertial))
    return budget.result(), procurement.result()


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
    budget, procurement = await _peer_sections(peers, m, b, year, tertial)
    own = await build_report(session, register, year, tertial)
    return _compose(register, year, tertial, own, budget.section, procurement.section)


def _compose(
    register: Register,
    year: int,
    tertial: Tertial,
    own: TertialReport,
    budget: Section,
    procurement: Section,
) -> ComposedReport:
    m, b = register.municipality_code, register.board_code
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
                # The assignments are a section of their own (below), not repeated here.
                data=own.model_dump(mode="json", exclude={"assignments"}),
            ),
            "budget": budget,
            "procurement": procurement,
        },
        assignments=own.assignments,
    )
