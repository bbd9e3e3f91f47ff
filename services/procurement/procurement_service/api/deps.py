"""Path parameters and auth aliases shared by the procurement routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.kit.auth import Principal, read_access, require_scope
from municipal_shared.kit.database import get_session
from municipal_shared.types import MUNICIPALITY_CODE_PATTERN
from procurement_service.settings import ProcurementSettings

Session = Annotated[AsyncSession, Depends(get_session)]
Reader = Annotated[Principal, read_access("procurement:read")]
# The outbox and its dead letters carry delivery errors and idempotency keys: never public.
OutboxReader = Annotated[Principal, require_scope("procurement:read")]
Writer = Annotated[Principal, require_scope("procurement:write")]
Admin = Annotated[Principal, require_scope("procurement:admin")]
MunicipalityPath = Annotated[
    str, Path(pattern=MUNICIPALITY_CODE_PATTERN, description="Municipality code", examples=["0580"])
]
ReferencePath = Annotated[
    str,
    Path(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$",
        description="The buyer's reference",
        examples=["KS-2018-0042"],
    ),
]


def personal_data_key(request: Request) -> bytes:
    settings: ProcurementSettings = request.app.state.settings
    return settings.personal_data_key.get_secret_value().encode()


PersonalDataKey = Annotated[bytes, Depends(personal_data_key)]
