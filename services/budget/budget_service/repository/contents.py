"""A version's lines: written from the plain content (replacing what was there), and read for
every version of a budget at once. The export reads one query per table, whatever the number of
versions: the ORM's per-parent loading would add queries as versions and lines grow."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import raiseload
from sqlalchemy.orm.attributes import set_committed_value

from budget_service.models import (
    ActivityArea,
    AreaBaseAmount,
    BudgetVersion,
    ChangeLine,
    ChangeLineAmount,
    DirectiveLine,
    DirectiveLineAmount,
    InvestmentFrameAmount,
    InvestmentItem,
    InvestmentItemAmount,
)
from budget_service.repository.versions import versions_query
from municipal_shared.kit.database import utc_now

Row = TypeVar("Row")


async def fill_version(
    session: AsyncSession, version: BudgetVersion, content: dict[str, Any]
) -> None:
    """Replace a version's content with `content` (the VersionContentIn shape). The old rows
    are deleted first: the unit of work would otherwise insert before it deletes and trip the
    unique area codes."""
    version.directive_lines.clear()
    version.activity_areas.clear()
    version.investment_frame.clear()
    version.investment_items.clear()
    if version.id is not None:
        await session.flush()

    def amounts(model: type, values: dict[str, int] | None) -> list[Any]:
        return [model(year=int(y), amount=a) for y, a in sorted((values or {}).items())]

    version.directive_lines = [
        DirectiveLine(
            position=i,
            kind=line["kind"],
            text=line["text"],
            decision_reference=line.get("decision_reference"),
            amounts=amounts(DirectiveLineAmount, line["amounts"]),
        )
        for i, line in enumerate(content.get("directive_lines", []), start=1)
    ]
    version.activity_areas = [
        ActivityArea(
            position=i,
            code=area["code"],
            name=area["name"],
            note=area.get("note"),
            base_amounts=amounts(AreaBaseAmount, area.get("base_amounts")),
            change_lines=[
                ChangeLine(
                    position=j,
                    heading=line["heading"],
                    kind=line["kind"],
                    text=line["text"],
                    decision_reference=line.get("decision_reference"),
                    counterparty=line.get("counterparty"),
                    amounts=amounts(ChangeLineAmount, line["amounts"]),
                )
                for j, line in enumerate(area.get("change_lines", []), start=1)
            ],
        )
        for i, area in enumerate(content.get("activity_areas", []), start=1)
    ]
    investments = content.get("investments") or {}
    version.investment_frame = [
        InvestmentFrameAmount(year=int(y), amount=a)
        for y, a in sorted((investments.get("frame") or {}).items())
    ]
    version.investment_items = [
        InvestmentItem(
            position=i,
            section=item["section"],
            heading=item.get("heading"),
            name=item["name"],
            amounts=[
                InvestmentItemAmount(
                    year=int(y), expenditure=value, income=(item.get("income") or {}).get(y, 0)
                )
                for y, value in sorted(item["expenditure"].items())
            ],
        )
        for i, item in enumerate(investments.get("items", []), start=1)
    ]
    version.updated_at = utc_now()  # also bumps row_version, so the ETag changes


async def _rows(session: AsyncSession, query: Select[Row]) -> list[Row]:
    # raiseload: every collection is set below; a lazy load would be one query per parent.
    return list((await session.scalars(query.options(raiseload("*")))).all())


def _attach(parents: Iterable[Any], name: str, children: Iterable[Any], parent_key: str) -> None:
    """Set each parent's collection `name` to its children, keeping the children's order."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for child in children:
        grouped[getattr(child, parent_key)].append(child)
    for parent in parents:
        set_committed_value(parent, name, grouped.get(parent.id, []))


async def versions_with_lines(
    session: AsyncSession, budget_id: int, limit: int
) -> list[BudgetVersion]:
    """The budget's first `limit` versions with every line and amount: ten queries in all."""
    versions: list[BudgetVersion] = await _rows(session, versions_query(budget_id).limit(limit))
    ids: Sequence[int] = [v.id for v in versions]
    lines = await _rows(
        session,
        select(DirectiveLine)
        .where(DirectiveLine.version_id.in_(ids))
        .order_by(DirectiveLine.position),
    )
    line_amounts = await _rows(
        session,
        select(DirectiveLineAmount)
        .join(DirectiveLine)
        .where(DirectiveLine.version_id.in_(ids))
        .order_by(DirectiveLineAmount.year),
    )
    areas = await _rows(
        session,
        select(ActivityArea)
        .where(ActivityArea.version_id.in_(ids))
        .order_by(ActivityArea.position),
    )
    base_amounts = await _rows(
        session,
        select(AreaBaseAmount)
        .join(ActivityArea)
        .where(ActivityArea.version_id.in_(ids))
        .order_by(AreaBaseAmount.year),
    )
    changes = await _rows(
        session,
        select(ChangeLine)
        .join(ActivityArea)
        .where(ActivityArea.version_id.in_(ids))
        .order_by(ChangeLine.position),
    )
    change_amounts = await _rows(
        session,
        select(ChangeLineAmount)
        .join(ChangeLine)
        .join(ActivityArea)
        .where(ActivityArea.version_id.in_(ids))
        .order_by(ChangeLineAmount.year),
    )
    frame = await _rows(
        session,
        select(InvestmentFrameAmount)
        .where(InvestmentFrameAmount.version_id.in_(ids))
        .order_by(InvestmentFrameAmount.year),
    )
    items = await _rows(
        session,
        select(InvestmentItem)
        .where(InvestmentItem.version_id.in_(ids))
        .order_by(InvestmentItem.position),
    )
    item_amounts = await _rows(
        session,
        select(InvestmentItemAmount)
        .join(InvestmentItem)
        .where(InvestmentItem.version_id.in_(ids))
        .order_by(InvestmentItemAmount.year),
    )
    _attach(lines, "amounts", line_amounts, "line_id")
    _attach(areas, "base_amounts", base_amounts, "area_id")
    _attach(changes, "amounts", change_amounts, "line_id")
    _attach(areas, "change_lines", changes, "area_id")
    _attach(items, "amounts", item_amounts, "item_id")
    _attach(versions, "directive_lines", lines, "version_id")
    _attach(versions, "activity_areas", areas, "version_id")
    _attach(versions, "investment_frame", frame, "version_id")
    _attach(versions, "investment_items", items, "version_id")
    return versions
