"""Queries of the audit log: a budget's entries, and a municipality's (its
boards' and its own registrations and renames belong to no budget)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from budget_service.models import AuditEntry


def budget_audit_query(budget_id: int) -> Select[Any]:
    return select(AuditEntry).where(AuditEntry.budget_id == budget_id).order_by(AuditEntry.id)


def municipality_audit_query(municipality_code: str) -> Select[Any]:
    """Changes to a municipality and its boards (they belong to no budget)."""
    return (
        select(AuditEntry)
        .where(
            AuditEntry.budget_id.is_(None),
            (AuditEntry.target == municipality_code)
            | AuditEntry.target.startswith(f"{municipality_code}/"),
        )
        .order_by(AuditEntry.id)
    )
