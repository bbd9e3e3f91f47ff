"""The composed tertial report as a body, and the report as approved: once approved, later
reads return the snapshot and list what changed since, with old and new values."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from pydantic import BaseModel, Field

from indicator_service.reports.changes import Change, changes
from indicator_service.reports.sections import Section
from municipal_shared.types import Tertial


class ApprovalRecord(Protocol):
    """What an approval stores (the ReportApproval row), without the ORM."""

    decision_reference: str
    approved_by: str
    approved_at: dt.datetime
    snapshot: dict[str, Any]


class ComposedReport(BaseModel):
    municipality_code: str
    board_code: str
    year: int
    tertial: Tertial
    approved: bool
    approval: dict[str, Any] | None = None
    sections: dict[str, Section]
    changes_since_approval: list[Change] = Field(default_factory=list)


def frozen(approval: ApprovalRecord, live: ComposedReport) -> ComposedReport:
    """The snapshot as approved, with every figure that differs in the live report now.
    A section unavailable now is not compared: its absence is not a change."""
    snapshot = ComposedReport.model_validate(approval.snapshot)
    snapshot.approved = True
    snapshot.approval = {
        "decision_reference": approval.decision_reference,
        "approved_by": approval.approved_by,
        "approved_at": approval.approved_at.isoformat(),
    }
    now = {k: s.data for k, s in live.sections.items() if s.status == "available"}
    then = {k: s.data for k, s in snapshot.sections.items() if k in now}
    snapshot.changes_since_approval = changes(then, now)
    return snapshot
