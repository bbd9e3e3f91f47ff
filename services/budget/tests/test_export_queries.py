"""The Fiscal Data Package export reads a budget in a fixed number of queries, however many
versions it has and however many other budgets there are; and the documents it builds from
those bulk reads are the ones each version's own read returns."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from budget_testkit import make_budget, per_year
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from budget_service.rules.fiscal_data_package import budget_csv, datapackage
from budget_service.schemas_out import BudgetDocument

DECISION = {
    "decided_by": "KF",
    "decision_date": "2029-11-27",
    "paragraph": "§ 412",
    "reason": "Fullmäktiges beslut",
}


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends while the block runs."""
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(args[2])  # (conn, cursor, statement, parameters, context, executemany)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def export_queries(client: httpx.AsyncClient, engine: AsyncEngine, path: str) -> list[int]:
    counts = []
    for name in ("datapackage.json", "budget.csv"):
        with statements(engine) as sent:
            r = await client.get(f"{path}/fiscal-data-package/{name}")
        assert r.status_code == 200, r.text
        counts.append(len(sent))
    return counts


async def decide(client: httpx.AsyncClient, h: dict[str, str], path: str, number: int) -> None:
    etag = (await client.get(f"{path}/versions/{number}")).headers["etag"]
    r = await client.post(
        f"{path}/versions/{number}/decision", json=DECISION, headers={**h, "If-Match": etag}
    )
    assert r.status_code == 200, r.text


async def successor(client: httpx.AsyncClient, h: dict[str, str], path: str, phase: str) -> str:
    r = await client.post(f"{path}/versions", json={"phase": phase, "reason": "nästa"}, headers=h)
    assert r.status_code == 201, r.text
    return str(r.headers["etag"])


async def test_export_queries_do_not_grow_with_versions_or_budgets(
    app: Any, client: httpx.AsyncClient, token: Callable[..., dict[str, str]]
) -> None:
    h = token()
    engine: AsyncEngine = app.state.database.engine
    path, _ = await make_budget(client, h)
    one_version = await export_queries(client, engine, path)

    await decide(client, h, path, 1)
    etag = await successor(client, h, path, "directive")  # a revision of version 1
    line = {
        "activity_area_code": "personal",
        "heading": "Övriga förändringar",
        "kind": "other",
        "text": "Ny rad",
        "amounts": per_year(5, 5, 5, 5),
        "reason": "tillägg",
    }
    r = await client.post(
        f"{path}/versions/2/change-lines", json=line, headers={**h, "If-Match": etag}
    )
    assert r.status_code == 201, r.text
    await decide(client, h, path, 2)
    await successor(client, h, path, "board_proposal")
    await make_budget(client, h, board="MN")  # another budget beside it
    four_versions_later = await export_queries(client, engine, path)

    assert four_versions_later == one_version, (one_version, four_versions_later)


async def test_export_documents_are_the_versions_documents(
    client: httpx.AsyncClient, token: Callable[..., dict[str, str]]
) -> None:
    h = token()
    path, _ = await make_budget(client, h)
    await decide(client, h, path, 1)
    await successor(client, h, path, "directive")
    documents = [
        BudgetDocument.model_validate((await client.get(f"{path}/versions/{n}")).json())
        for n in (1, 2)
    ]
    text = (await client.get(f"{path}/fiscal-data-package/budget.csv")).text
    assert text == budget_csv(documents)
    assert {row["version"] for row in csv.DictReader(io.StringIO(text))} == {"1", "2"}
    package = (await client.get(f"{path}/fiscal-data-package/datapackage.json")).json()
    assert package == datapackage(documents, csv_path="budget.csv")
