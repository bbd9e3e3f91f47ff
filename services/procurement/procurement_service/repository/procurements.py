"""Queries of the procurement service. Nothing here commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from procurement_service.models import AuditEntry, EmploymentRule, Procurement
from procurement_service.repository.rows import among


async def get_procurement(
    session: AsyncSession, municipality_code: str, reference: str
) -> Procurement | None:
    query = select(Procurement).where(
        Procurement.municipality_code == municipality_code, Procurement.reference == reference
    )
    return (await session.execute(query)).scalar_one_or_none()


async def procurements_by_reference(
    session: AsyncSession, municipality_code: str, references: list[str]
) -> dict[str, Procurement]:
    query = select(Procurement).where(
        Procurement.municipality_code == municipality_code, Procurement.reference.in_(references)
    )
    return {p.reference: p for p in (await session.execute(query)).scalars()}


async def stored_hashes(
    session: AsyncSession, municipality_code: str, references: list[str]
) -> dict[str, tuple[int, str]]:
    """reference -> (id, content hash) of those stored: what a bulk request must write."""
    query = select(Procurement.reference, Procurement.id, Procurement.content_hash).where(
        Procurement.municipality_code == municipality_code,
        among(session, Procurement.reference, references),
    )
    return {ref: (pid, digest) for ref, pid, digest in await session.execute(query)}


def procurements_query(municipality_code: str, administration: str | None) -> Select[Any]:
    query = select(Procurement).where(Procurement.municipality_code == municipality_code)
    if administration:
        query = query.where(Procurement.administration == administration)
    return query.order_by(Procurement.award_date, Procurement.reference)


async def employment_rule(session: AsyncSession, municipality_code: str) -> EmploymentRule | None:
    return await session.get(EmploymentRule, municipality_code)


def audit_query(municipality_code: str) -> Select[Any]:
    """The municipality's audit entries, newest first (ids grow with time)."""
    query = select(AuditEntry).where(AuditEntry.municipality_code == municipality_code)
    return query.order_by(AuditEntry.id.desc())
