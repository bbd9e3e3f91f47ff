"""The indicator routes' own scopes, path parameters and dependencies; the parameters every
service shares (session, municipality, board, year, If-Match, Idempotency-Key) come from the
kit (kit/params.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from indicator_service.models import Register
from indicator_service.use_cases.composed_report import Peers
from indicator_service.use_cases.registers import find_register
from municipal_shared.kit.auth import Principal, read_access, require_scope
from municipal_shared.kit.params import BoardPath, MunicipalityPath, Session

Reader = Annotated[Principal, read_access("indicators:read")]
# Who changed what, and why, is not public: the audit log always needs the scope.
AuditReader = Annotated[Principal, require_scope("indicators:read")]
Writer = Annotated[Principal, require_scope("indicators:write")]
Assessor = Annotated[Principal, require_scope("indicators:assess")]
Admin = Annotated[Principal, require_scope("indicators:admin")]
Approver = Annotated[Principal, require_scope("reports:approve")]
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
    return await find_register(session, municipality_code, board_code)


RegisterDep = Annotated[Register, Depends(the_register)]


async def the_peers(request: Request) -> Peers:
    """The peers as the app's lifespan opened them (main.py)."""
    peers: Peers = request.app.state.peers
    return peers


PeersDep = Annotated[Peers, Depends(the_peers)]
