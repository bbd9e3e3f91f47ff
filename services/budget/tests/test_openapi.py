"""Frontend teams generate clients from /openapi.json: every operation must be complete."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest
from budget_testkit import make_budget
from fastapi import FastAPI

from municipal_shared.kit.pytest_service import ServiceUnderTest
from municipal_shared.kit.testing import assert_openapi_complete, assert_problem
from municipal_shared.kit.testing_openapi import (
    assert_document_complete,
    assert_scopes_enforced,
    operations,
)

VERSIONED_WRITES = {
    "replaceVersionContent",
    "discardDraftVersion",
    "decideVersion",
    "addChangeLine",
    "deleteChangeLine",
    "reportFollowUp",
}


async def test_every_operation_is_documented(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert assert_openapi_complete(spec, VERSIONED_WRITES) >= 20


async def test_the_document_is_complete_for_a_generated_client(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    assert_document_complete((await client.get("/openapi.json")).json(), app)


async def test_every_operation_enforces_exactly_the_scopes_it_declares(
    client: httpx.AsyncClient,
    app: FastAPI,
    token: Callable[..., dict[str, str]],
    service_under_test: ServiceUnderTest,
) -> None:
    spec = (await client.get("/openapi.json")).json()
    checked = await assert_scopes_enforced(client, app, spec, token, service_under_test.scopes)
    assert checked == len(list(operations(spec)))


async def _follow_up(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], number: str
) -> httpx.Response:
    """Reports tertial 1 with `number` written as it stands into the JSON text (no float on
    the client's side either)."""
    body = (
        '{"reason": "Tertialrapport 1", "entries": [{"activity_area_code": "ekonomi", '
        f'"outcome_to_date": {number}, "full_year_forecast": "600"}}]}}'
    )
    headers = {**headers, "Content-Type": "application/json"}
    return await client.put(f"{path}/follow-up/T1", content=body, headers=headers)


@pytest.mark.parametrize("number", ["11200.5", "0.1", "12345678901234.567"])
async def test_a_decimal_sent_as_a_json_number_is_kept_as_written(
    client: httpx.AsyncClient, token: Callable[..., dict[str, str]], number: str
) -> None:
    # 12345678901234.567 has more digits than a float keeps (it would read ...234.566).
    path, _ = await make_budget(client, token())
    answered = await _follow_up(client, path, token(), number)
    assert answered.status_code == 200, answered.text
    stored = answered.json()["rows"][0]["outcome_to_date"]  # as read back from the database
    assert Decimal(stored) == Decimal(number) and stored.rstrip("0").rstrip(".") == number


@pytest.mark.parametrize("number", ["1e400", "NaN", "-Infinity"])
async def test_a_number_that_is_not_finite_is_refused_naming_the_field(
    client: httpx.AsyncClient, token: Callable[..., dict[str, str]], number: str
) -> None:
    path, _ = await make_budget(client, token())
    assert_problem(
        await _follow_up(client, path, token(), number), 422, "/entries/0/outcome_to_date"
    )
    assert (await client.get(f"{path}/follow-up/T1")).json()["reported"] is False
