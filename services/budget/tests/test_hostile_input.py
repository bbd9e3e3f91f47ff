"""Input an attacker would send to the budget: each is a 4xx problem naming the field or the
limit, never a 500, and nothing is written. Runs on the backend the environment selects
(SQLite, or PostgreSQL with BUDGET_TEST_DATABASE_URL)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from budget_testkit import make_budget, small_content

from budget_service.settings import BudgetSettings
from municipal_shared.kit.testing import assert_problem

JSON = {"content-type": "application/json"}
LIMIT = BudgetSettings().max_body_bytes


def raw(body: Any) -> bytes:
    """JSON with non-ASCII escaped, so a lone surrogate travels as the text `\\ud800`."""
    return json.dumps(body).encode()


@pytest.fixture
async def budget(client: httpx.AsyncClient, token: Callable) -> tuple[str, str, dict]:
    path, etag = await make_budget(client, token())
    return path, etag, (await client.get(path)).json()


BAD_TEXT = {"lone surrogate": "Uppräkning \ud800", "NUL": "Uppräkning \x00"}


@pytest.mark.parametrize("case", BAD_TEXT, ids=list(BAD_TEXT))
async def test_unstorable_text_is_422_naming_it(
    client: httpx.AsyncClient, token: Callable, budget: tuple, case: str
) -> None:
    path, etag, before = budget
    content = small_content(BAD_TEXT[case])  # the reason, kept in the audit log
    content["directive_lines"][1]["text"] = BAD_TEXT[case]
    content["activity_areas"][0]["note"] = BAD_TEXT[case]
    r = await client.put(
        f"{path}/versions/1", content=raw(content), headers={**token(), **JSON, "If-Match": etag}
    )
    problem = assert_problem(r, 422, "/directive_lines/1/text")
    pointers = {e["pointer"] for e in problem["errors"]}
    assert {"/reason", "/activity_areas/0/note"} <= pointers
    assert (await client.get(path)).json() == before


@pytest.mark.parametrize("case", BAD_TEXT, ids=list(BAD_TEXT))
async def test_unstorable_text_in_a_registry_name_is_422(
    client: httpx.AsyncClient, token: Callable, case: str
) -> None:
    body = {"name": BAD_TEXT[case], "reason": "Ny kommun"}
    r = await client.put("/v1/municipalities/0581", content=raw(body), headers={**token(), **JSON})
    assert_problem(r, 422, "/name")
    assert_problem(await client.get("/v1/municipalities/0581"), 404)


async def test_an_amount_that_is_not_finite_is_422_naming_it(
    client: httpx.AsyncClient, token: Callable, budget: tuple
) -> None:
    path, etag, before = budget
    content = raw(small_content()).replace(b'"2030": 1000', b'"2030": 1e400', 1)
    r = await client.put(
        f"{path}/versions/1", content=content, headers={**token(), **JSON, "If-Match": etag}
    )
    assert_problem(r, 422, "/directive_lines/0/amounts/2030")
    assert (await client.get(path)).json() == before


async def test_a_body_over_the_limit_is_413_announced_or_streamed(
    client: httpx.AsyncClient, token: Callable, budget: tuple
) -> None:
    path, etag, before = budget
    content = small_content()
    content["x_padding"] = "x" * LIMIT
    headers = {**token(), **JSON, "If-Match": etag}
    r = await client.put(f"{path}/versions/1", content=raw(content), headers=headers)
    assert assert_problem(r, 413)["max_body_bytes"] == LIMIT == 1024 * 1024

    async def chunks() -> AsyncIterator[bytes]:
        data = raw(content)
        for start in range(0, len(data), 64 * 1024):
            yield data[start : start + 64 * 1024]

    r = await client.put(f"{path}/versions/1", content=chunks(), headers=headers)
    assert "content-length" not in r.request.headers
    assert_problem(r, 413)
    assert (await client.get(path)).json() == before


async def test_nul_in_a_query_reason_is_422_naming_it(
    client: httpx.AsyncClient, token: Callable, budget: tuple
) -> None:
    path, etag, before = budget  # the reason of a discard goes to the audit log
    r = await client.delete(
        f"{path}/versions/1",
        params={"reason": "Kasseras\x00"},
        headers={**token(), "If-Match": etag},
    )
    assert assert_problem(r, 422, "/reason")["errors"][0]["location"] == "query"
    assert (await client.get(path)).json() == before
