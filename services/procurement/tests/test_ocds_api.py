"""OCDS through the API: four successive releases measure like the native outcome, re-posting
changes nothing, a changed release is a conflict, a bad package stores nothing; changes reach
the outbox for the indicator register."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import httpx
from ocds_fixture import EXPECTED, OCID, RELEASES, TENDER_ID, release_package
from sqlalchemy import select

from municipal_shared.kit.testing import assert_problem
from procurement_service.models import OUTBOX
from procurement_service.rules.delivery import RegisterTarget
from procurement_service.use_cases.delivery import publish_dirty
from procurement_service.use_cases.measurement import rule_for

OCDS = "/v1/procurements/0580/ocds"


async def post_one_by_one(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> list[dict[str, Any]]:
    answers = []
    for release in RELEASES:
        r = await client.post(OCDS, json=release_package([release]), headers=headers)
        assert r.status_code == 200, r.text
        answers.append(r.json())
    return answers


def without_scope(measurement: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in measurement.items() if k != "municipality_code"}


async def test_four_releases_measure_like_the_native_outcome(
    client: httpx.AsyncClient, token: Callable
) -> None:
    answers = await post_one_by_one(client, token())
    assert [a["stored"] for a in answers] == [1, 1, 1, 1]
    stored = (await client.get(f"/v1/procurements/0580/{TENDER_ID}")).json()
    assert stored["source"] == "ocds" and len(stored["bidders"]) == 3
    assert stored["status"] == "contract_signed"
    native = EXPECTED.model_dump(mode="json")
    r = await client.put(f"/v1/procurements/0581/{TENDER_ID}", json=native, headers=token())
    assert r.status_code == 201, r.text
    for tertial in ("T1", "T2", "T3"):
        via_ocds = (await client.get(f"/v1/measurements/0580/2018/{tertial}")).json()
        via_native = (await client.get(f"/v1/measurements/0581/2018/{tertial}")).json()
        assert without_scope(via_ocds) == without_scope(via_native)
    t2 = (await client.get("/v1/measurements/0580/2018/T2")).json()
    assert t2["competition"]["bidders"] == {"value": 3, "based_on": 1}
    assert t2["employment_requirement"]["set_and_contract_signed"] == {"value": 1, "based_on": 1}


async def test_re_posting_changes_nothing_and_a_changed_release_conflicts(
    client: httpx.AsyncClient, token: Callable
) -> None:
    await post_one_by_one(client, token())
    before = (await client.get(f"/v1/procurements/0580/{TENDER_ID}")).json()
    again = await client.post(OCDS, json=release_package(), headers=token())
    assert again.json() == {"stored": 0, "unchanged": 4, "procurements": []}
    assert (await client.get(f"/v1/procurements/0580/{TENDER_ID}")).json() == before
    changed = copy.deepcopy(RELEASES[2])
    changed["awards"][0]["value"]["amount"] = 1
    r = await client.post(OCDS, json=release_package([changed]), headers=token())
    body = assert_problem(r, 409)
    assert body["errors"][0]["ocid"] == OCID
    assert (await client.get(f"/v1/procurements/0580/{TENDER_ID}")).json() == before


async def test_a_bad_package_names_every_bad_release_and_stores_nothing(
    client: httpx.AsyncClient, token: Callable
) -> None:
    bad_amount = copy.deepcopy(RELEASES[1])
    bad_amount["tender"]["value"]["amount"] = "two million"
    no_ocid = copy.deepcopy(RELEASES[2])
    del no_ocid["ocid"]
    package = release_package([RELEASES[0], bad_amount, no_ocid])
    body = assert_problem(await client.post(OCDS, json=package, headers=token()), 422)
    assert {e["index"] for e in body["errors"]} == {1, 2}
    assert (await client.get("/v1/procurements/0580")).json()["total"] == 0
    assert_problem(await client.post(OCDS, json={"releases": "nope"}, headers=token()), 422)
    assert_problem(
        await client.post(OCDS, json=release_package(), headers=token("procurement:read")), 403
    )


async def test_changes_are_published_to_the_outbox_once(
    app: Any, client: httpx.AsyncClient, token: Callable
) -> None:
    await post_one_by_one(client, token())
    sessions = app.state.database.sessions
    # Award and signing both fall in T2: the cumulative T2 and T3 figures changed.
    assert await publish_dirty(sessions, OUTBOX, rule_for, RegisterTarget()) == 2
    assert await publish_dirty(sessions, OUTBOX, rule_for, RegisterTarget()) == 0
    async with sessions() as session:
        rows = (await session.execute(select(OUTBOX).order_by(OUTBOX.c.id))).mappings().all()
    periods = {row["body"]["items"][0]["period"]: row for row in rows}
    t2 = periods["2018-T2"]
    assert t2["path"] == "/v1/registers/0580/KS/outcomes" and t2["status"] == "pending"
    assert {i["figure"]: i.get("value") for i in t2["body"]["items"]} == {
        "procurement.bidders_per_procurement": "3.00",
        "procurement.sme_share_of_bidders_with_known_size": "66.67",
        "procurement.employment_requirement_set_and_signed": "1",
    }
    assert set(periods) == {"2018-T2", "2018-T3"}
