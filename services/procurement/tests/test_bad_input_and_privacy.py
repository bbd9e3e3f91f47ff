"""Bad outcomes are refused whole with the field named; a sole trader's number never leaves."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from procurement_testkit import SET, SOLE_TRADER

from municipal_shared.kit.testing import assert_problem

GOOD = SET["KS-2018-001"]


def changed(mutate: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    body = copy.deepcopy(GOOD)
    mutate(body)
    return body


BAD = {
    "invalid organisation number": (
        lambda b: b["bidders"][1].update(organisation_number="556677-8898"),
        "/bidders/1/organisation_number",
    ),
    "winner who did not bid": (lambda b: b.update(winners=["556123-4567"]), "/winners/0"),
    "negative value": (lambda b: b.update(awarded_value="-5"), "/awarded_value"),
    "non-numeric value": (lambda b: b.update(estimated_value="mycket"), "/estimated_value"),
    "negative headcount": (lambda b: b["bidders"][0].update(headcount=-1), "/bidders/0/headcount"),
    "unknown category": (lambda b: b.update(category="consulting"), "/category"),
    "unknown procedure": (lambda b: b.update(procedure="auction"), "/procedure"),
    "signed before the award": (
        lambda b: b.update(contract_signed_date="2018-02-01"),
        "/contract_signed_date",
    ),
    "unsuitable without reason": (
        lambda b: b.update(employment_requirement={"set": False, "judged_suitable": False}),
        "/employment_requirement",
    ),
    "the same bidder twice": (
        lambda b: b["bidders"].append(b["bidders"][0]),
        "/bidders/3/organisation_number",
    ),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
async def test_bad_outcome_is_refused(
    client: httpx.AsyncClient, token: Callable, case: str
) -> None:
    mutate, pointer = BAD[case]
    r = await client.put("/v1/procurements/0580/KS-2018-001", json=changed(mutate), headers=token())
    assert_problem(r, 422, pointer)
    assert_problem(await client.get("/v1/procurements/0580/KS-2018-001"), 404)


async def test_bulk_is_all_or_nothing(client: httpx.AsyncClient, token: Callable) -> None:
    items = copy.deepcopy([{"reference": ref, **body} for ref, body in SET.items()])
    items[3]["winners"] = ["556036-0793"]
    items[5]["bidders"][0]["organisation_number"] = "556036-0794"
    r = await client.put("/v1/procurements/0580", json={"items": items}, headers=token())
    body = assert_problem(r, 422)
    assert {e["pointer"] for e in body["errors"]} >= {
        "/items/3/winners/0",
        "/items/5/bidders/0/organisation_number",
    }
    assert (await client.get("/v1/procurements/0580")).json()["total"] == 0


async def test_writes_need_the_scope(client: httpx.AsyncClient, token: Callable) -> None:
    assert_problem(await client.put("/v1/procurements/0580/KS-1", json=GOOD), 401)
    assert_problem(
        await client.put(
            "/v1/procurements/0580/KS-1", json=GOOD, headers=token("procurement:read")
        ),
        403,
    )


async def test_a_sole_traders_number_appears_in_no_response_and_no_log(
    client: httpx.AsyncClient, token: Callable, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    forms = {SOLE_TRADER, SOLE_TRADER.replace("-", ""), "19" + SOLE_TRADER.replace("-", "")}
    texts = []
    body = SET["KS-2018-003"]
    texts.append(
        (await client.put("/v1/procurements/0580/KS-2018-003", json=body, headers=token())).text
    )
    texts.append((await client.get("/v1/procurements/0580/KS-2018-003")).text)
    texts.append((await client.get("/v1/procurements/0580")).text)
    texts.append((await client.get("/v1/measurements/0580/2018/T2")).text)
    bad = copy.deepcopy(body)
    bad["winners"] = ["121212-1212", "556036-0793"]
    texts.append(
        (await client.put("/v1/procurements/0580/KS-2018-009", json=bad, headers=token())).text
    )
    bad["bidders"][0]["organisation_number"] = "121212-1213"
    texts.append(
        (await client.put("/v1/procurements/0580/KS-2018-009", json=bad, headers=token())).text
    )
    stored = (await client.get("/v1/procurements/0580/KS-2018-003")).json()
    assert stored["bidders"][0] == {
        "scheme": "SE-BLV",
        "organisation_number": None,
        "sole_trader": True,
        "name": None,
        "size_class": "micro",
        "size_provenance": "given",
        "bids": 1,
        "winner": True,
    }
    everything = "\n".join(texts) + "\n".join(r.getMessage() for r in caplog.records)
    for form in forms:
        assert form not in everything
    assert "Sven Svensson" not in everything


@pytest.mark.parametrize(
    "path", ["/v1/measurements/0000/2018/T1", "/v1/measurements/2600?from=2018-01-01&to=2018-01-31"]
)
async def test_a_code_that_is_no_municipality_is_refused_at_the_door(
    client: httpx.AsyncClient, path: str
) -> None:
    """0000 or county 26 cannot be a municipality: a 422 naming the path parameter, not a
    measurement whose own contract refuses the code (found by schemathesis as a 500)."""
    assert_problem(await client.get(path), 422, "/municipality_code")
