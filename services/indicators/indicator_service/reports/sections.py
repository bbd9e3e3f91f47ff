"""A section of the composed report read from a peer over HTTP, against the shared contract.
A section whose service cannot be read is marked unavailable with the reason, never left out
or empty."""

from __future__ import annotations

import datetime as dt
from typing import Any

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


def budget_url(base: str, municipality: str, board: str, year: int, tertial: Tertial) -> str:
    return f"{base}/v1/budgets/{municipality}/{board}/{year}/follow-up/{tertial}"


def procurement_url(base: str, municipality: str, year: int, tertial: Tertial) -> str:
    return f"{base}/v1/measurements/{municipality}/{year}/{tertial}"
