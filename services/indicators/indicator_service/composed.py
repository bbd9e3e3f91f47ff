"""The composed tertial report: the register's report with the budget follow-up and the
procurement measurement, read over HTTP. A section whose service cannot be read is marked
unavailable with the reason, never left out or empty. Once approved, the report is frozen:
later reads return the snapshot and list what changed since, with old and new values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from pydantic import BaseModel, Field, ValidationError

from municipal_shared.contracts.budget import BudgetFollowUp
from municipal_shared.kit.database import utc_now
from municipal_shared.types import Tertial


class Section(BaseModel):
    source: str = Field(description="Where the section was read.")
    retrieved_at: dt.datetime
    status: str = Field(description="available or unavailable")
    detail: str | None = Field(default=None, description="Why a section is unavailable.")
    data: dict[str, Any] | None = None


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
    client: httpx.AsyncClient, url: str, contract: type[BaseModel] | None = None
) -> Section:
    """One peer's section; any failure makes it unavailable, with the reason."""
    now = utc_now()
    try:
        response = await client.get(url)
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
            detail += f": {response.json().get('title', '')}"
        return Section(source=url, retrieved_at=now, status="unavailable", detail=detail)
    body = response.json()
    if contract is not None:
        try:  # the shared contract: a provider that stops matching it is visible here
            contract.model_validate(body)
        except ValidationError as exc:
            return Section(
                source=url,
                retrieved_at=now,
                status="unavailable",
                detail=f"does not match the contract: {exc.error_count()} error(s)",
            )
    return Section(source=url, retrieved_at=now, status="available", data=body)


def figures(report: ComposedReport) -> dict[str, Any]:
    """The parts that are figures (not times of retrieval), for comparing with a snapshot."""
    return {name: section.data for name, section in report.sections.items()}


def changes(old: Any, new: Any, path: str = "") -> list[Change]:
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[Change] = []
        for key in sorted({*old, *new}, key=str):
            if key in ("generated_at", "updated_at", "retrieved_at", "recorded_at", "href"):
                continue
            out += changes(old.get(key), new.get(key), f"{path}/{key}")
        return out
    if isinstance(old, list) and isinstance(new, list):
        out = []
        for i in range(max(len(old), len(new))):
            out += changes(
                old[i] if i < len(old) else None, new[i] if i < len(new) else None, f"{path}/{i}"
            )
        return out
    return [] if old == new else [Change(path=path or "/", old=old, new=new)]


def budget_url(base: str, municipality: str, board: str, year: int, tertial: Tertial) -> str:
    return f"{base}/v1/budgets/{municipality}/{board}/{year}/follow-up/{tertial}"


def procurement_url(base: str, municipality: str, year: int, tertial: Tertial) -> str:
    return f"{base}/v1/measurements/{municipality}/{year}/{tertial}"


BUDGET_CONTRACT = BudgetFollowUp
