"""Bad input gets a 4xx problem+json naming the field, and nothing is partly written."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from budget_testkit import make_budget, per_year, small_content

from municipal_shared.kit.testing import assert_problem


@pytest.fixture
async def budget(client: httpx.AsyncClient, token: Callable) -> tuple[str, str, dict]:
    path, etag = await make_budget(client, token())
    return path, etag, (await client.get(path)).json()


def _with(mutate: Callable[[dict], None]) -> dict:
    body = small_content("felaktig ändring")
    mutate(body)
    return body


BAD_CONTENT = {
    "float amount": (
        lambda b: b["directive_lines"][0]["amounts"].update({"2030": 1000.5}),
        "/directive_lines/0/amounts/2030",
    ),
    "integral float amount": (
        lambda b: b["directive_lines"][0]["amounts"].update({"2030": 1000.0}),
        "/directive_lines/0/amounts/2030",
    ),
    "string amount": (
        lambda b: b["activity_areas"][0]["base_amounts"].update({"2031": "600"}),
        "/activity_areas/0/base_amounts/2031",
    ),
    "year outside the budget": (
        lambda b: b["activity_areas"][0]["change_lines"][0]["amounts"].update({"2035": 5}),
        "/activity_areas/0/change_lines/0/amounts/2035",
    ),
    "missing year": (
        lambda b: b["directive_lines"][1]["amounts"].pop("2033"),
        "/directive_lines/1/amounts",
    ),
    "injected area total": (
        lambda b: b["activity_areas"][0].update({"total": per_year(1, 1, 1, 1)}),
        "/activity_areas/0/total",
    ),
    "injected proposal total": (
        lambda b: b.update({"proposal_total": per_year(1, 1, 1, 1)}),
        "/proposal_total",
    ),
    "disagreeing control total": (
        lambda b: b.update({"control_totals": {"proposal_total": per_year(1070, 1040, 1060, 9)}}),
        "/control_totals/proposal_total/2033",
    ),
    "disagreeing change": (
        lambda b: b.update({"control_totals": {"of_which_change": per_year(0, 0, 0, 0)}}),
        "/control_totals/of_which_change/2030",
    ),
    "investments above frame": (
        lambda b: b["investments"]["items"][0]["expenditure"].update({"2031": 150}),
        "/investments/items",
    ),
    "duplicate area": (
        lambda b: b["activity_areas"][1].update({"code": "ekonomi"}),
        "/activity_areas/1/code",
    ),
    "unknown kind": (
        lambda b: b["directive_lines"][0].update({"kind": "gift"}),
        "/directive_lines/0/kind",
    ),
    "NUL in text": (lambda b: b["directive_lines"][0].update({"text": "a\x00b"}), None),
}


@pytest.mark.parametrize("case", BAD_CONTENT, ids=list(BAD_CONTENT))
async def test_bad_content_is_refused_whole(
    client: httpx.AsyncClient, token: Callable, budget: tuple, case: str
) -> None:
    path, etag, before = budget
    mutate, pointer = BAD_CONTENT[case]
    r = await client.put(
        f"{path}/versions/1", json=_with(mutate), headers={**token(), "If-Match": etag}
    )
    assert_problem(r, 422, pointer)
    assert (await client.get(path)).json() == before


async def test_change_line_for_unknown_area(
    client: httpx.AsyncClient, token: Callable, budget: tuple
) -> None:
    path, etag, before = budget
    line = {
        "activity_area_code": "finns-inte",
        "heading": "Övriga förändringar",
        "kind": "other",
        "text": "Rad",
        "amounts": per_year(1, 1, 1, 1),
        "reason": "test av fel",
    }
    assert_problem(
        await client.post(
            f"{path}/versions/1/change-lines", json=line, headers={**token(), "If-Match": etag}
        ),
        422,
        "/activity_area_code",
    )
    line["activity_area_code"] = "ekonomi"
    line["amounts"] = {"2030": 1}
    assert_problem(
        await client.post(
            f"{path}/versions/1/change-lines", json=line, headers={**token(), "If-Match": etag}
        ),
        422,
        "/amounts",
    )
    assert (await client.get(path)).json() == before


async def test_unknown_municipality_or_board(
    client: httpx.AsyncClient, token: Callable, budget: tuple
) -> None:
    body = {
        "municipality_code": "0581",
        "board_code": "TN",
        "budget_year": 2030,
        "title": "Budget",
        "reason": "test av fel",
    }
    assert_problem(
        await client.post("/v1/budgets", json=body, headers=token()), 422, "/municipality_code"
    )
    body.update(municipality_code="0580", board_code="XN")
    assert_problem(await client.post("/v1/budgets", json=body, headers=token()), 422, "/board_code")
    body.update(municipality_code="9999")
    assert_problem(
        await client.post("/v1/budgets", json=body, headers=token()), 422, "/municipality_code"
    )
    assert_problem(await client.get("/v1/budgets/0581/TN/2030"), 404)
    assert_problem(await client.get("/v1/budgets/0580/XN/2030"), 404)
    assert_problem(await client.get("/v1/budgets/0580/TN/2031"), 404)
    assert (await client.get("/v1/budgets")).json()["total"] == 1


async def test_same_budget_twice_is_a_conflict(
    client: httpx.AsyncClient, token: Callable, budget: tuple
) -> None:
    body = {
        "municipality_code": "0580",
        "board_code": "TN",
        "budget_year": 2030,
        "title": "Budget",
        "reason": "en gång till",
    }
    assert_problem(await client.post("/v1/budgets", json=body, headers=token()), 409)


async def test_follow_up_bad_amounts(
    client: httpx.AsyncClient, token: Callable, budget: tuple
) -> None:
    path, _, _ = budget
    entry = {
        "activity_area_code": "ekonomi",
        "outcome_to_date": 100.2505,  # a JSON number is read exactly: four decimals stay four
        "full_year_forecast": "600",
    }
    body = {"entries": [entry], "reason": "Tertial 1"}
    assert_problem(
        await client.put(f"{path}/follow-up/T1", json=body, headers=token()),
        422,
        "/entries/0/outcome_to_date",
    )
    entry.update(outcome_to_date="100.2505")
    assert_problem(
        await client.put(f"{path}/follow-up/T1", json=body, headers=token()),
        422,
        "/entries/0/outcome_to_date",
    )
    entry.update(outcome_to_date="100.25", activity_area_code="okand")
    assert_problem(
        await client.put(f"{path}/follow-up/T1", json=body, headers=token()),
        422,
        "/entries/0/activity_area_code",
    )
    assert_problem(
        await client.put(f"{path}/follow-up/T4", json=body, headers=token()), 422, "/tertial"
    )
    assert (await client.get(f"{path}/follow-up/T1")).json()["reported"] is False
