"""Path, header and dependency aliases every service's routes use, declared once so that a
municipality code, a board code or a year is the same parameter (pattern, bounds, example) in
every OpenAPI document. A service's `api/deps.py` adds only its own scopes and keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Request
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

IfMatch = Annotated[
    str | None,
    Header(description="The ETag you read; required for every change to an existing resource."),
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
