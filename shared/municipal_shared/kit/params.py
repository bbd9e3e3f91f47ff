"""Path, header and dependency aliases every service's routes use, declared once so that a
municipality code, a board code or a year is the same parameter (pattern, bounds, example) in
every OpenAPI document. A service's `api/deps.py` adds only its own scopes and keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.kit.database import get_session
from municipal_shared.kit.document_store import DocumentStore
from municipal_shared.types import BOARD_CODE_PATTERN, MUNICIPALITY_CODE_PATTERN

Session = Annotated[AsyncSession, Depends(get_session)]

MunicipalityPath = Annotated[
    str, Path(pattern=MUNICIPALITY_CODE_PATTERN, description="Municipality code", examples=["0580"])
]
BoardPath = Annotated[
    str, Path(pattern=BOARD_CODE_PATTERN, description="Board code", examples=["KS"])
]
YearPath = Annotated[int, Path(ge=2000, le=2100, description="Year", examples=[2018])]
IdPath = Annotated[int, Path(ge=1, le=2_147_483_647, examples=[1])]

# Required (the OpenAPI document says so, `document_required_headers`) where every call
# changes an existing resource: without it the change is a 428. The parameter stays optional
# in the signature only so that a replay of a write that already landed is answered as the
# first time, and a locked version is a 409 whatever the client sent.
IF_MATCH_REQUIRED = (
    "The ETag you read (or `*`). Required: a change without it is a 428, with another "
    "resource state a 412 (a replay of a change that already landed is answered without it)."
)
IfMatch = Annotated[str | None, Header(description=IF_MATCH_REQUIRED)]
# Where the same call creates (no If-Match) or changes (If-Match required, else 428).
IfMatchToChange = Annotated[
    str | None,
    Header(
        description="The ETag you read; required when the resource exists (a change), "
        "left out when it is created."
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        max_length=200,
        description="Makes a redelivery harmless: the same key returns the first answer.",
    ),
]


async def _documents(request: Request) -> DocumentStore:
    store: DocumentStore = request.app.state.documents
    return store


Documents = Annotated[DocumentStore, Depends(_documents)]


def document_required_headers(document: dict[str, Any], routers: Sequence[APIRouter]) -> None:
    """Marks If-Match `required` in the OpenAPI document of every operation taking `IfMatch`."""
    for router in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            names = {
                field.alias
                for field in route.dependant.header_params
                if field.field_info.description == IF_MATCH_REQUIRED
            }
            for method in (route.methods or ()) if names else ():
                operation = document["paths"].get(route.path_format, {}).get(method.lower(), {})
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "header" and parameter["name"] in names:
                        parameter["required"] = True
