"""Path parameters, headers and auth aliases shared by the indicator routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path
from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service import service
from indicator_service.models import Register
from municipal_shared.kit.auth import Principal, read_access, require_scope
from municipal_shared.kit.database import get_session
from municipal_shared.types import BOARD_CODE_PATTERN, MUNICIPALITY_CODE_PATTERN

Session = Annotated[AsyncSession, Depends(get_session)]
Reader = Annotated[Principal, read_access("indicators:read")]
# Who changed what, and why, is not public: the audit log always needs the scope.
AuditReader = Annotated[Principal, require_scope("indicators:read")]
Writer = Annotated[Principal, require_scope("indicators:write")]
Assessor = Annotated[Principal, require_scope("indicators:assess")]
Admin = Annotated[Principal, require_scope("indicators:admin")]
IfMatch = Annotated[
    str | None,
    Header(description="The ETag you read; required to change an existing register."),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        max_length=200,
        description="Makes a redelivery harmless: the same key returns the first answer.",
    ),
]
MunicipalityPath = Annotated[
    str, Path(pattern=MUNICIPALITY_CODE_PATTERN, description="Municipality code", examples=["0580"])
]
BoardPath = Annotated[
    str, Path(pattern=BOARD_CODE_PATTERN, description="Board code", examples=["KS"])
]
CodePath = Annotated[
    str,
    Path(
        pattern=r"^[a-z0-9][a-z0-9-]{0,79}$",
        description="Indicator code",
        examples=["personalomsattning"],
    ),
]
REGISTER = "/v1/registers/{municipality_code}/{board_code}"


async def the_register(
    municipality_code: MunicipalityPath, board_code: BoardPath, session: Session
) -> Register:
    return await service.find_register(session, municipality_code, board_code)


RegisterDep = Annotated[Register, Depends(the_register)]
