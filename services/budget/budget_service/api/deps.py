"""The budget routes' own scopes, path parameters and budget key; the path, header and session
aliases every service shares come from the kit."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query

from budget_service.use_cases.lookups import BudgetKey
from municipal_shared.kit.auth import Principal, read_access, require_scope
from municipal_shared.kit.params import (
    BoardPath,
    IdPath,
    IfMatch,
    IfMatchToChange,
    MunicipalityPath,
    Session,
    YearPath,
)

__all__ = [
    "BUDGET",
    "Admin",
    "AuditReader",
    "BoardPath",
    "Decider",
    "IdPath",
    "IfMatch",
    "IfMatchToChange",
    "Key",
    "MunicipalityPath",
    "Reader",
    "ReasonQuery",
    "Session",
    "VersionPath",
    "Writer",
]

Reader = Annotated[Principal, read_access("budget:read")]
# Who changed what is not a public budget document: the audit log always needs the scope.
AuditReader = Annotated[Principal, require_scope("budget:read")]
Writer = Annotated[Principal, require_scope("budget:write")]
Decider = Annotated[Principal, require_scope("budget:decide")]
Admin = Annotated[Principal, require_scope("budget:admin")]

VersionPath = Annotated[
    int, Path(ge=1, le=2_147_483_647, description="Version number", examples=[1])
]
# A deletion has no body: its reason for the audit log comes in the query.
ReasonQuery = Annotated[str, Query(min_length=3, max_length=2000)]


async def budget_key(
    municipality_code: MunicipalityPath, board_code: BoardPath, budget_year: YearPath
) -> BudgetKey:
    return BudgetKey(municipality_code, board_code, budget_year)


Key = Annotated[BudgetKey, Depends(budget_key)]
BUDGET = "/v1/budgets/{municipality_code}/{board_code}/{budget_year}"
