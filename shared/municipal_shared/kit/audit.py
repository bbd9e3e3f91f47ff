"""Who changed what, when and why: one table shape and one writer for every service.

A service's `AuditEntry` model mixes in `AuditColumns` and adds the column that scopes an entry
to what it belongs to (a budget, a register, a municipality); `record_audit` is the only code
that writes entries, inside the use case's transaction, so an entry exists exactly when its
change does. Nothing updates or deletes these rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, String, Text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from municipal_shared.kit.database import UTCDateTime, utc_now

TARGET_LENGTH = 300


class AuditColumns:
    """The columns every service's audit table has (a declarative mixin)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(TARGET_LENGTH))
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


Entry = TypeVar("Entry", bound=AuditColumns)


def record_audit(
    session: AsyncSession,
    entry_type: type[Entry],
    *,
    actor: str,
    action: str,
    target: str,
    reason: str,
    changes: list[dict[str, Any]] | None = None,
    **scope: Any,
) -> Entry:
    """Add one entry to the session; the use case's one commit stores it with the change.
    `scope` names the service's own columns (budget_id=..., municipality_code=...)."""
    # The mixin declares no constructor; the mapped subclass's keyword constructor takes these.
    fields: dict[str, Any] = {
        "actor": actor,
        "action": action,
        "target": target,
        "reason": reason,
        "changes": changes or [],
    }
    entry = entry_type(**fields, **scope)
    session.add(entry)
    return entry


class AuditChange(BaseModel):
    """One changed field: where (a JSON pointer into the resource), before and after (any
    JSON value; null when it was added or removed)."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(examples=["/name"])
    old: Any = Field(description="The value before; null when the field was added.")
    new: Any = Field(description="The value after; null when the field was removed.")


class AuditEntryOut(BaseModel):
    """An audit entry as every service returns it; a service may add its scope fields."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: dt.datetime
    actor: str = Field(description="The token subject that made the change.")
    action: str = Field(description="What was done, e.g. version.decided or register.loaded.")
    target: str
    reason: str
    changes: list[AuditChange] = Field(description="Field, before and after, per change.")
