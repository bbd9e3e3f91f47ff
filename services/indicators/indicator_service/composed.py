"""The composed tertial report: the register's report with the budget follow-up and the
procurement measurement, read over HTTP. A section whose service cannot be read is marked
unavailable with the reason, never left out or empty. Once approved, the report is frozen:
later reads return the snapshot and list what changed since, with old and new values."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

import httpx
from pydantic import BaseModel, Field, ValidationError

from municipal_shared.kit.database import utc_now
from municipal_shared.types import Tertial


class Section(BaseModel):
    source: str = Field(description="Where the section was read.")
    retrieved_at: dt.datetime
    status: str = Field(description="available or unavailable")
    detail: str | None = Field(default=None, description="Why a section is unavailable.")
    data: dict[str, Any] | None = None


class ApprovalRecord(Protocol):
    """What an approval stores (the ReportApproval row), without the ORM."""

    decision_reference: str
    approved_by: str
    approved_at: dt.datetime
    snapshot: dict[str, Any]


class Change(BaseModel):
    path: str
    old: Any
    new: Any


class ComposedReport(BaseModel):
    municipality_code: str
    board_code: str
    year: int
    tertial: Tertial
    approved: bool
    approval: dict[str, Any] | None = None
    sections: dict[str, Section]
    changes_since_approval: list[Change] = Field(default_factory=list)


async def read_section(
    client: httpx.AsyncClient, url: str, contract: type[BaseModel], headers: dict[str, str]
) -> Section:
    """One peer's section; any failure makes it unavailable, with the reason."""
    now = utc_now()
    try:
        response = await client.get(url, headers=headers)
    except httpx.HTTPError as exc:
        return Section(
            source=url,
            retrieved_at=now,
            status="unavailable",
            detail=f"unreachable: {type(exc).__name__}",
        )
    if response.status_code != 200:
        detail = f"answered {response.status_code}"
        if response.headers.get("content-type", "").startswith("application/problem+json"):
            try:
                detail += f": {response.json().get('title', '')}"
            except ValueError:
                pass  # the status alone says enough
        return Section(source=url, retrieved_at=now, status="unavailable", detail=detail)
    try:  # the shared contract: a provider that stops matching it is visible here
        body = response.json()
        contract.model_validate(body)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError too
        why = (
            f"{exc.error_count()} error(s), first at /{'/'.join(map(str, exc.errors()[0]['loc']))}"
            if isinstance(exc, ValidationError)
            else "not JSON"
        )
        return Section(
            source=url,
            retrieved_at=now,
            status="unavailable",
            detail=f"does not match the shared contract {contract.__name__}: {why}",
        )
    return Section(source=url, retrieved_at=now, status="available", data=body)


def approval_blockers(live: ComposedReport) -> list[str]:
    """A report is approved whole or not at all: every section must have been read."""
    return [name for name, section in live.sections.items() if section.status != "available"]


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


# Bookkeeping, not figures: when a section was read or written, and row identifiers.
NOT_FIGURES = frozenset(
    {"generated_at", "updated_at", "retrieved_at", "recorded_at", "href", "id", "replaces_id"}
)


def _identity(item: Any) -> str | None:
    """What names a list item across reads: an activity area, an indicator, a goal."""
    if not isinstance(item, dict):
        return None
    for key in ("activity_area_code", "code", "key"):
        if isinstance(item.get(key), str):
            return str(item[key])
    nested = item.get("indicator")
    if isinstance(nested, dict) and isinstance(nested.get("code"), str):
        return str(nested["code"])
    return None


def _by_identity(items: list[Any]) -> dict[str, Any] | None:
    names = [_identity(item) for item in items]
    if None in names or len(set(names)) != len(names):
        return None
    return dict(zip(names, items, strict=True))  # type: ignore[arg-type]


def changes(old: Any, new: Any, path: str = "") -> list[Change]:
    """Every figure that differs, with its old and new value. Items of a list are matched by
    what names them (/budget/rows/naringsliv/deviation), so a row added or moved does not
    make every row after it look changed; by position when nothing names them."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[Change] = []
        for key in sorted({*old, *new}, key=str):
            if key not in NOT_FIGURES:
                out += changes(old.get(key), new.get(key), f"{path}/{key}")
        return out
    if isinstance(old, list) and isinstance(new, list):
        keyed_old, keyed_new = _by_identity(old), _by_identity(new)
        if keyed_old is not None and keyed_new is not None:
            names = [*keyed_old, *(name for name in keyed_new if name not in keyed_old)]
            pairs = [(name, keyed_old.get(name), keyed_new.get(name)) for name in names]
        else:
            pairs = [
                (str(i), old[i] if i < len(old) else None, new[i] if i < len(new) else None)
                for i in range(max(len(old), len(new)))
            ]
        out = []
        for name, before, after in pairs:
            out += changes(before, after, f"{path}/{name}")
        return out
    return [] if old == new else [Change(path=path or "/", old=old, new=new)]


def budget_url(base: str, municipality: str, board: str, year: int, tertial: Tertial) -> str:
    return f"{base}/v1/budgets/{municipality}/{board}/{year}/follow-up/{tertial}"


def procurement_url(base: str, municipality: str, year: int, tertial: Tertial) -> str:
    return f"{base}/v1/measurements/{municipality}/{year}/{tertial}"
