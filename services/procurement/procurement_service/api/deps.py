"""The procurement routes' own scopes, path parameter and key; the common path, header and
session aliases come from the kit (municipal_shared.kit.params)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from municipal_shared.kit.auth import Principal, read_access, require_scope
from municipal_shared.kit.params import IdPath, MunicipalityPath, Session, YearPath
from procurement_service.settings import ProcurementSettings

__all__ = [
    "Admin",
    "AuditReader",
    "IdPath",
    "MunicipalityPath",
    "OutboxReader",
    "PersonalDataKey",
    "Reader",
    "ReferencePath",
    "Session",
    "Settings",
    "Writer",
    "YearPath",
]

Reader = Annotated[Principal, read_access("procurement:read")]
# The outbox and its dead letters carry delivery errors and idempotency keys: never public.
OutboxReader = Annotated[Principal, require_scope("procurement:read")]
# Who changed what is never public either, whatever the read access of the outcomes.
AuditReader = Annotated[Principal, require_scope("procurement:read")]
Writer = Annotated[Principal, require_scope("procurement:write")]
Admin = Annotated[Principal, require_scope("procurement:admin")]
ReferencePath = Annotated[
    str,
    Path(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$",
        description="The buyer's reference",
        examples=["KS-2018-0042"],
    ),
]


def _settings(request: Request) -> ProcurementSettings:
    settings: ProcurementSettings = request.app.state.settings
    return settings


# The app's settings: the buyers configured, the limits of a package.
Settings = Annotated[ProcurementSettings, Depends(_settings)]


def personal_data_key(settings: Settings) -> bytes:
    return settings.personal_data_key.get_secret_value().encode()


PersonalDataKey = Annotated[bytes, Depends(personal_data_key)]
