"""Path parameters, headers and auth aliases shared by the budget routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path
from sqlalchemy.ext.asyncio import AsyncSession

from budget_service.service import BudgetKey
from municipal_shared.kit.auth import Principal, read_access, require_scope
from municipal_shared.kit.database import get_session
from municipal_shared.types import BOARD_CODE_PATTERN, MUNICIPALITY_CODE_PATTERN

Session = Annotated[AsyncSession, Depends(get_session)]
Reader = Annotated[Principal, read_access("budget:read")]
# Who changed what is not a public budget document: the audit log always needs the scope.
AuditReader = Annotated[Principal, require_scope("budget:read")]
Writer = Annotated[Principal, require_scope("budget:write")]
Decider = Annotated[Principal, require_scope("budget:decide")]
Admin = Annotated[Principal, require_scope("budget:admin")]
IfMatch = Annotated[
    str | None,
    Header(description="The ETag you read; required for every change to an existing resource."),
]

MunicipalityPath = Annotated[
    str, Path(pattern=MUNICIPALITY_CODE_PATTERN, description="Municipality code", examples=["0580"])
]
BoardPath = Annotated[
    str, Path(pattern=BOARD_CODE_PATTERN, description="Board code", examples=["KS"])
]
YearPath = Annotated[int, Path(ge=2000, le=2100, description="Budget year", examples=[2018])]
VersionPath = Annotated[
    int, Path(ge=1, le=2_147_483_647, description="Version number", examples=[1])
]


def budget_key(
    municipality_code: MunicipalityPath, board_code: BoardPath, budget_year: YearPath
) -> BudgetKey:
    return BudgetKey(municipality_code, board_code, budget_year)


Key = Annotated[BudgetKey, Depends(budget_key)]
BUDGET = "/v1/budgets/{municipality_code}/{board_code}/{budget_year}"
