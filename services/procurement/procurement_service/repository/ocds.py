"""Queries of the OCDS releases as received."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from procurement_service.models import OcdsRelease


async def release_hashes(
    session: AsyncSession, municipality_code: str, ocids: list[str]
) -> dict[tuple[str, str], str]:
    """(ocid, release id) -> content hash of every stored release of these processes: one
    query for a whole package instead of one per release."""
    query = select(OcdsRelease.ocid, OcdsRelease.release_id, OcdsRelease.content_hash).where(
        OcdsRelease.municipality_code == municipality_code, OcdsRelease.ocid.in_(ocids)
    )
    return {(ocid, rid): digest for ocid, rid, digest in await session.execute(query)}


async def release_bodies(
    session: AsyncSession, municipality_code: str, ocids: list[str]
) -> dict[str, list[Any]]:
    """Every release of these contracting processes as received, each in the order received."""
    query = (
        select(OcdsRelease.ocid, OcdsRelease.body)
        .where(OcdsRelease.municipality_code == municipality_code, OcdsRelease.ocid.in_(ocids))
        .order_by(OcdsRelease.id)
    )
    bodies: dict[str, list[Any]] = {ocid: [] for ocid in ocids}
    for ocid, body in await session.execute(query):
        bodies[ocid].append(body)
    return bodies
