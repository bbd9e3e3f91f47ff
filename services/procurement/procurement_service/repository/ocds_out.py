"""Queries of OCDS out: one contracting process's releases as stored, and the feed's next
received releases and native outcomes after a position, each in feed order and limited in the
database (indexes ix_ocds_release_feed and ix_procurement_feed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from procurement_service.models import OcdsRelease, Procurement
from procurement_service.rules.ocds_out import NATIVE, OCDS_RELEASE, Position

NATIVE_SOURCE = "native"


async def process_releases(
    session: AsyncSession, municipality_code: str, ocid: str
) -> list[tuple[dt.datetime, dict[str, Any], bool]]:
    """(received at, body, is a compiledRelease) of every release of one ocid, as received."""
    query = (
        select(OcdsRelease.received_at, OcdsRelease.body, OcdsRelease.compiled)
        .where(OcdsRelease.municipality_code == municipality_code, OcdsRelease.ocid == ocid)
        .order_by(OcdsRelease.id)
    )
    return [(at, body, compiled) for at, body, compiled in await session.execute(query)]


async def native_procurement(
    session: AsyncSession, municipality_code: str, reference: str
) -> Procurement | None:
    query = select(Procurement).where(
        Procurement.municipality_code == municipality_code,
        Procurement.reference == reference,
        Procurement.source == NATIVE_SOURCE,
    )
    found: Procurement | None = (await session.execute(query)).scalar_one_or_none()
    return found


def _after(
    moment: InstrumentedAttribute[dt.datetime],
    row: InstrumentedAttribute[int],
    kind: int,
    since: Position | None,
) -> Any:
    """Rows of `kind` after the position, in the feed's order (moment, kind, row)."""
    if since is None:
        return True
    if since.kind < kind:
        return moment >= since.moment
    if since.kind > kind:
        return moment > since.moment
    return or_(moment > since.moment, and_(moment == since.moment, row > since.row))


async def received_after(
    session: AsyncSession, municipality_code: str, since: Position | None, limit: int
) -> list[tuple[Position, dict[str, Any]]]:
    """The next releases received in OCDS (not a publisher's compiledRelease)."""
    query = (
        select(OcdsRelease.received_at, OcdsRelease.id, OcdsRelease.body)
        .where(
            OcdsRelease.municipality_code == municipality_code,
            OcdsRelease.compiled.is_(False),
            _after(OcdsRelease.received_at, OcdsRelease.id, OCDS_RELEASE, since),
        )
        .order_by(OcdsRelease.received_at, OcdsRelease.id)
        .limit(limit)
    )
    return [
        (Position(at, OCDS_RELEASE, row), body) for at, row, body in await session.execute(query)
    ]


async def native_after(
    session: AsyncSession, municipality_code: str, since: Position | None, limit: int
) -> list[tuple[Position, Procurement]]:
    """The next native outcomes, by when their current version was stored."""
    query = (
        select(Procurement)
        .where(
            Procurement.municipality_code == municipality_code,
            Procurement.source == NATIVE_SOURCE,
            _after(Procurement.updated_at, Procurement.id, NATIVE, since),
        )
        .order_by(Procurement.updated_at, Procurement.id)
        .limit(limit)
    )
    rows = (await session.execute(query)).scalars().all()
    return [(Position(p.updated_at, NATIVE, p.id), p) for p in rows]
