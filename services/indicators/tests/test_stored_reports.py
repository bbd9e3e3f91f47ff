"""The tertial report and the composed report are stored per state of the data: a repeat read
is one query (the composed one also revalidates its peers), a read right after an outcome
arrives shows it, a repeat read with the ETag is 304, and HEAD answers like GET."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

KS = "/v1/registers/0580/KS"
REPORT = f"{KS}/reports/2018/T2"


def email_row(report: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in report["rows"] if r["indicator"]["code"] == "tillganglighet-e-post")


async def test_a_stored_report_is_one_query_and_a_read_after_a_write_sees_it(
    client: httpx.AsyncClient, token: Callable, seeded: str, sql_statements: list[str]
) -> None:
    first = await client.get(REPORT)
    assert first.status_code == 200
    assert email_row(first.json())["outcome"]["period"] == "2016"  # the latest seeded value
    sql_statements.clear()
    again = await client.get(REPORT)
    assert again.content == first.content, sql_statements
    assert len(sql_statements) <= 1 and all(_counter_sum_only(s) for s in sql_statements), (
        sql_statements
    )
    etag = first.headers["etag"]
    assert (await client.get(REPORT, headers={"If-None-Match": etag})).status_code == 304
    head = await client.head(REPORT)
    assert (head.status_code, head.content, head.headers["etag"]) == (200, b"", etag)

    put = await client.put(
        f"{KS}/outcomes",
        json={
            "items": [{"indicator_code": "tillganglighet-e-post", "period": "2018", "value": "81"}],
            "reason": "Delårsrapport T2",
        },
        headers=token(),
    )
    assert put.status_code == 200, put.text
    after = await client.get(REPORT, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    row = email_row(after.json())
    assert (row["outcome"]["period"], row["outcome"]["value"]) == ("2018", "81")
    assert row["evaluation"]["status"] == "met"


async def test_a_missing_register_or_year_is_still_a_problem(
    client: httpx.AsyncClient, seeded: str
) -> None:
    for path in ("/v1/registers/0580/TN/reports/2018/T2", f"{KS}/reports/2035/T2"):
        missing = await client.get(path)
        assert missing.status_code == 404, path
        assert missing.headers["content-type"] == "application/problem+json"


async def test_the_composed_report_is_stored_per_state_of_its_peers(
    client: httpx.AsyncClient, seeded: str, sql_statements: list[str]
) -> None:
    """Here no peer answers: both sections are unavailable, and that is part of the key."""
    first = await client.get(f"{REPORT}/composed")
    body = first.json()
    assert {body["sections"][s]["status"] for s in ("budget", "procurement")} == {"unavailable"}
    sql_statements.clear()
    again = await client.get(f"{REPORT}/composed")
    assert again.content == first.content, sql_statements
    assert len(sql_statements) <= 1 and all(_counter_sum_only(s) for s in sql_statements), (
        sql_statements
    )


def _counter_sum_only(statement: str) -> bool:
    """The check of a kept rendering: the counters' sum and the stored row's time, no bytes."""
    return "change_counter" in statement and "stored_document.body" not in statement
