"""The budget document, a version and the follow-up are served like static files: rendered once
per state of the data, then one query and bytes out; a read right after a write sees it; a
repeat read with the ETag is 304; HEAD answers like GET without a body."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from budget_testkit import make_budget, per_year, small_content


async def test_a_stored_document_is_one_query_and_304_with_its_etag(
    client: httpx.AsyncClient, token: Callable, sql_statements: list[str]
) -> None:
    path, etag = await make_budget(client, token())
    first = await client.get(path)
    assert first.headers["etag"] == etag  # the version's ETag, that If-Match writes compare
    sql_statements.clear()
    again = await client.get(path)
    assert (again.content, again.headers["etag"]) == (first.content, etag)
    # The process kept the bytes it served: one look at the counters' sum and the stored row,
    # without its bytes, through SQLAlchemy on SQLite, on the store's own asyncpg pool on
    # PostgreSQL (no SQLAlchemy statement).
    assert len(sql_statements) <= 1 and all(_counter_sum_only(s) for s in sql_statements), (
        sql_statements
    )
    assert again.json() == first.json() and again.headers["content-type"] == "application/json"
    unchanged = await client.get(path, headers={"If-None-Match": etag})
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    head = await client.head(path)
    assert (head.status_code, head.content, head.headers["etag"]) == (200, b"", etag)


async def test_a_read_right_after_a_write_sees_it(
    client: httpx.AsyncClient, token: Callable
) -> None:
    h = token()
    path, etag = await make_budget(client, h)
    before = (await client.get(path)).json()
    version = (await client.get(f"{path}/versions/1")).json()
    content = small_content("ändring")
    content["activity_areas"][0]["base_amounts"] = per_year(700, 600, 600, 600)
    edit = await client.put(f"{path}/versions/1", json=content, headers={**h, "If-Match": etag})
    assert edit.status_code == 200, edit.text
    after = await client.get(path, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] == edit.headers["etag"]
    assert after.json() != before and after.json() == edit.json()
    assert (await client.get(f"{path}/versions/1")).json() != version


async def test_a_missing_budget_is_still_404_and_nothing_is_stored(
    client: httpx.AsyncClient, token: Callable
) -> None:
    await make_budget(client, token())
    missing = await client.get("/v1/budgets/0580/TN/2031")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def _counter_sum_only(statement: str) -> bool:
    """The check of a kept rendering: the counters' sum and the stored row's time, no bytes."""
    return "change_counter" in statement and "stored_document.body" not in statement


def test_the_started_service_froze_its_startup_objects(app: object) -> None:
    """Full collections would otherwise walk them all, a pause of ~150 ms under load."""
    import gc

    assert gc.get_freeze_count() > 10_000
