"""A delivering service addresses a figure by its key; the register's definition says which
indicator records it (`fed_by`), so no sender knows a municipality's indicator codes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from municipal_shared.kit.testing import assert_problem

KS = "/v1/registers/0580/KS"
MEAN = "procurement.bidders_per_procurement"


def figure(key: str, period: str, value: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "figure": key,
        "period": period,
        "value": value,
        "source": "procurement-service",
        **extra,
    }


async def put(client: httpx.AsyncClient, headers: dict, items: list) -> httpx.Response:
    return await client.put(
        f"{KS}/outcomes", json={"items": items, "reason": "Upphandlingsmätning"}, headers=headers
    )


async def test_the_seeded_register_declares_which_figure_feeds_each_procurement_row(
    client: httpx.AsyncClient, seeded: str
) -> None:
    indicator = (await client.get(f"{KS}/indicators/antal-anbudsgivare-per-upphandling")).json()
    assert indicator["fed_by"] == MEAN
    definition = (await client.get(f"{KS}/indicators/personalomsattning")).json()
    assert definition["fed_by"] is None


async def test_a_figure_lands_on_the_indicator_that_declares_it(
    client: httpx.AsyncClient, token: Callable, seeded: str
) -> None:
    r = await put(
        client,
        token(),
        [
            figure(MEAN, "2018-T1", "3.5"),
            figure(
                "procurement.sme_share_of_bidders_with_known_size",
                "2018-T1",
                None,
                status="no_data",
            ),
        ],
    )
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["unused_figures"]) == (2, [])
    indicator = (await client.get(f"{KS}/indicators/antal-anbudsgivare-per-upphandling")).json()
    value = next(o for o in indicator["outcomes"] if o["period"] == "2018-T1")
    assert (value["value"], value["source"]) == ("3.5", "procurement-service")


async def test_a_figure_no_indicator_declares_is_listed_and_the_rest_is_recorded(
    client: httpx.AsyncClient, token: Callable, seeded: str
) -> None:
    r = await put(
        client,
        token(),
        [figure(MEAN, "2018-T2", "4"), figure("procurement.not_followed_here", "2018-T2", "1")],
    )
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["unused_figures"]) == (
        1,
        ["procurement.not_followed_here"],
    )


async def test_an_item_names_exactly_one_of_code_and_figure(
    client: httpx.AsyncClient, token: Callable, seeded: str
) -> None:
    both = figure(MEAN, "2018-T2", "4", indicator_code="antal-anbudsgivare-per-upphandling")
    neither = {"period": "2018-T2", "value": "4"}
    bad_key = figure("Procurement Mean", "2018-T2", "4")
    for item in (both, neither, bad_key):
        r = await put(client, token(), [item])
        assert_problem(r, 422)
