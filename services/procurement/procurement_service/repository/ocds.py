"""Queries of the OCDS releases as received."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from procurement_service.models import OcdsRelease


async def get_release(
    session: AsyncSession, municipality_code: str, ocid: str, release_id: str
) -> OcdsRelease | None:
    query = select(OcdsRelease).where(
        OcdsRelease.municipality_code == municipality_code,
        OcdsRelease.ocid == ocid,
        OcdsRelease.release_id == release_id,
    )
    return (await session.execute(query)).scalar_one_or_none()


async def release_bodies(session: AsyncSession, municipality_code: str, ocid: str) -> list[Any]:
    """Every release of a contracting process as received, in the order received."""
    query = (
        select(OcdsRelease.body)
        .where(OcdsRelease.municipality_code == municipality_code, OcdsRelease.ocid == ocid)
        .order_by(OcdsRelease.id)
    )
    return list((await session.execute(query)).scalars())
