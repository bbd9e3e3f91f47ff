"""Figures computed by hand for the outcomes in procurement_testkit.SET, and what an unknown
size does to them: it is no data, never "not SME"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from ocds_fixture import release_package
from procurement_testkit import BIDDER, SET, A, D, E, outcome
from test_ocds_real_world import direct_award

from municipal_shared.contracts.indicators import DeliveredOutcomes
from procurement_service.rules.delivery import register_items
from procurement_service.rules.measurement import Window
from procurement_service.use_cases.measurement import measure, rule_for

M = "/v1/measurements/0580/2018"


def v(value: Any, based_on: int) -> dict[str, Any]:
    return {"value": value, "based_on": based_on}


@pytest.fixture
async def loaded(client: httpx.AsyncClient, token: Callable) -> None:
    items = [{"reference": ref, **body} for ref, body in SET.items()]
    r = await client.put("/v1/procurements/0580", json={"items": items}, headers=token())
    assert r.status_code == 200, r.text
    assert r.json() == {"created": 6, "changed": 0, "unchanged": 0}


async def test_t1(client: httpx.AsyncClient, loaded: None) -> None:
    m = (await client.get(f"{M}/T1")).json()
    assert (m["start"], m["end"]) == ("2018-01-01", "2018-04-30")
    c = m["competition"]
    assert c["procurements"] == 2
    assert c["bidders"] == v(5, 2) and c["bids"] == v(6, 2)
    assert c["bidders_per_procurement_mean"] == v("2.50", 2)
    assert c["bidders_per_procurement_median"] == v("2.50", 2)
    assert c["single_bidder_share"] == v("0.0000", 2)
    s = m["size_classes"]
    assert {k: f["value"] for k, f in s["bidders_by_class"].items()} == {
        "micro": 1,
        "small": 1,
        "medium": 1,
        "sme": 0,
        "large": 1,
        "no_data": 1,
    }
    assert s["bidders_with_known_size"] == v(4, 2) and s["sme_bidders"] == v(3, 2)
    assert s["sme_share_of_bidders"] == v("0.6000", 2)
    assert s["sme_share_of_bidders_with_known_size"] == v("0.7500", 2)
    assert s["sme_winners"] == v(2, 2) and s["procurements_won_by_sme"] == v(2, 2)
    assert s["winners_with_known_size"] == v(2, 2)
    assert s["sme_share_of_winners"] == v("1.0000", 2)
    assert s["sme_share_of_winners_with_known_size"] == v("1.0000", 2)
    e = m["employment_requirement"]
    assert e["eligible"] == v(2, 2) and e["set"] == v(1, 2)
    assert e["eligible_and_set"] == v(1, 2) and e["eligible_but_not_set"] == v(1, 2)
    assert e["set_and_contract_signed"] == v(1, 1)
    assert e["not_set_reasons"] == [{"reason": None, "procurements": 1}]
    d = m["direct_awards"]
    assert d["above_threshold"] == v(0, 2) and d["advertised_share"] == v(None, 0)


async def test_t2_cumulative(client: httpx.AsyncClient, loaded: None) -> None:
    m = (await client.get(f"{M}/T2")).json()
    c = m["competition"]
    assert c["procurements"] == 5
    assert c["bidders"] == v(12, 5) and c["bids"] == v(13, 5)
    assert c["bidders_per_procurement_mean"] == v("2.40", 5)
    assert c["bidders_per_procurement_median"] == v("2.00", 5)
    assert c["single_bidder_share"] == v("0.2000", 5)
    s = m["size_classes"]
    assert {k: f["value"] for k, f in s["bidders_by_class"].items()} == {
        "micro": 3,
        "small": 3,
        "medium": 2,
        "sme": 0,
        "large": 2,
        "no_data": 2,
    }
    assert s["sme_share_of_bidders"] == v("0.6667", 5)
    assert s["sme_share_of_bidders_with_known_size"] == v("0.8000", 5)
    assert {k: f["value"] for k, f in s["winners_by_class"].items()} == {
        "micro": 2,
        "small": 1,
        "medium": 2,
        "sme": 0,
        "large": 1,
        "no_data": 0,
    }
    assert s["bidders_with_known_size"] == v(10, 5)
    assert s["sme_share_of_winners"] == v("0.8333", 5)
    assert s["winners_with_known_size"] == v(6, 5)
    assert s["sme_share_of_winners_with_known_size"] == v("0.8333", 5)
    assert s["procurements_won_by_sme"] == v(4, 5)
    e = m["employment_requirement"]
    assert e["meeting_the_objective_criteria"] == v(2, 5) and e["eligible"] == v(2, 5)
    assert e["set"] == v(1, 5) and e["eligible_but_not_set"] == v(1, 5)
    assert e["set_and_contract_signed"] == v(1, 4)
    d = m["direct_awards"]
    assert d["above_threshold"] == v(1, 5) and d["advertised_share"] == v("1.0000", 1)


async def test_the_four_months_alone_and_per_administration(
    client: httpx.AsyncClient, loaded: None
) -> None:
    m = (await client.get(f"{M}/T2", params={"window": True})).json()
    assert (m["start"], m["end"]) == ("2018-05-01", "2018-08-31")
    assert m["competition"]["procurements"] == 3 and m["competition"]["bidders"] == v(7, 3)
    other = (await client.get(f"{M}/T2", params={"administration": "Miljöförvaltningen"})).json()
    assert other["competition"]["procurements"] == 0
    assert other["competition"]["bidders_per_procurement_mean"] == v(None, 0)
    ranged = (
        await client.get("/v1/measurements/0580", params={"from": "2018-02-01", "to": "2018-06-30"})
    ).json()
    assert ranged["competition"]["procurements"] == 3


async def test_the_rule_is_configurable(
    client: httpx.AsyncClient, token: Callable, loaded: None
) -> None:
    rule = {
        "categories": ["services", "works", "goods"],
        "more_than_days": 60,
        "min_employees": 1,
        "direct_award_threshold_sek": "300000",
    }
    assert (
        await client.put("/v1/employment-rules/0580", json=rule, headers=token())
    ).status_code == 200
    m = (await client.get(f"{M}/T2")).json()
    # Goods count now, and P5 (one employee, two years) meets the looser rule too. P3 (no
    # contract period, no employee count) and P4 (no employee count) can no longer be decided:
    # they are left out, not counted as failing.
    e = m["employment_requirement"]
    assert e["meeting_the_objective_criteria"] == v(3, 3)
    assert e["procurements_rule_undecided"] == 2
    assert m["direct_awards"]["above_threshold"] == v(0, 5)


async def test_sizes_warnings_and_replays(
    client: httpx.AsyncClient, token: Callable, loaded: None
) -> None:
    p1 = (await client.get("/v1/procurements/0580/KS-2018-001")).json()
    sizes = {b["name"]: (b["size_class"], b["size_provenance"]) for b in p1["bidders"]}
    assert sizes == {
        "Alfa Konsult AB": ("micro", "given"),
        "Beta Bygg AB": ("small", "computed"),
        "Delta Group AB": ("large", "computed"),
    }
    p4 = (await client.get("/v1/procurements/0580/KS-2018-004")).json()
    assert [w["code"] for w in p4["warnings"]] == ["direct_award_with_several_bidders"]
    again = await client.put(
        "/v1/procurements/0580/KS-2018-001", json=SET["KS-2018-001"], headers=token()
    )
    assert again.status_code == 200 and again.json()["updated_at"] == p1["updated_at"]


async def test_an_execution_time_without_a_period_counts(
    client: httpx.AsyncClient, token: Callable
) -> None:
    body = {**SET["KS-2018-001"], "execution_days": 200}
    del body["contract_period"]
    r = await client.put("/v1/procurements/0580/KS-2018-101", json=body, headers=token())
    assert r.status_code == 201 and r.json()["execution_days"] == 200
    m = (await client.get(f"{M}/T1")).json()
    assert m["employment_requirement"]["eligible_and_set"] == v(1, 1)


UNKNOWN = {"organisation_number": D, "name": "Delta Group AB"}  # no size, no facts: no_data


async def _put(client: httpx.AsyncClient, token: Callable, items: dict[str, Any]) -> None:
    body = {"items": [{"reference": ref, **o} for ref, o in items.items()]}
    r = await client.put("/v1/procurements/0580", json=body, headers=token())
    assert r.status_code == 200, r.text


async def test_bidders_all_without_a_size_give_no_sme_figures_and_no_data_to_the_register(
    app: Any, client: httpx.AsyncClient, token: Callable
) -> None:
    await _put(
        client,
        token,
        {
            "KS-2018-301": outcome(bidders=[E, UNKNOWN], winners=[E], award_date="2018-02-01"),
            "KS-2018-302": outcome(bidders=[E], winners=[E], award_date="2018-03-01"),
        },
    )
    m = (await client.get(f"{M}/T1")).json()
    assert m["competition"]["bidders_per_procurement_mean"] == v("1.50", 2)
    s = m["size_classes"]
    assert s["bidders_by_class"]["no_data"] == v(3, 2)
    assert s["bidders_by_class"]["large"] == v(0, 2)  # an unknown size is never large
    assert s["bidders_with_known_size"] == v(0, 2)
    assert s["winners_with_known_size"] == v(0, 2)
    # Nothing is known about SME: every SME figure is null, none is 0.
    for figure in (
        "sme_bidders",
        "sme_share_of_bidders",
        "sme_share_of_bidders_with_known_size",
        "sme_winners",
        "sme_share_of_winners",
        "sme_share_of_winners_with_known_size",
        "procurements_won_by_sme",
    ):
        assert s[figure] == v(None, 0), figure

    async with app.state.database.sessions() as session:
        rule = await rule_for(session, "0580")
        figures = await measure(
            session, "0580", Window(dt.date(2018, 1, 1), dt.date(2018, 4, 30)), rule
        )
    body = DeliveredOutcomes(
        items=register_items(figures, "2018-T1"), reason="Upphandlingsmätning"
    ).model_dump(mode="json", exclude_none=True)
    share = {i["figure"]: i for i in body["items"]}[
        "procurement.sme_share_of_bidders_with_known_size"
    ]
    assert share["status"] == "no_data" and "value" not in share


async def test_a_share_rests_on_the_procurements_where_sizes_are_known(
    client: httpx.AsyncClient, token: Callable
) -> None:
    await _put(
        client,
        token,
        {
            # One micro and one unknown bidder; the unknown one wins.
            "KS-2018-311": outcome(bidders=[A, E], winners=[E], award_date="2018-02-01"),
            # No size known at all.
            "KS-2018-312": outcome(bidders=[UNKNOWN], winners=[D], award_date="2018-03-01"),
        },
    )
    s = (await client.get(f"{M}/T1")).json()["size_classes"]
    assert s["sme_bidders"] == v(1, 1)
    assert s["sme_share_of_bidders_with_known_size"] == v("1.0000", 1)
    # A floor: 1 of the 2 bidders of KS-2018-311; KS-2018-312, where nothing is known, is out.
    assert s["sme_share_of_bidders"] == v("0.5000", 1)
    assert s["bidders_with_known_size"] == v(1, 2)
    # No winner of known size: the winners' SME figures are no data.
    assert s["sme_winners"] == v(None, 0) and s["procurements_won_by_sme"] == v(None, 0)
    assert s["sme_share_of_winners"] == v(None, 0)
    assert s["sme_share_of_winners_with_known_size"] == v(None, 0)


async def test_a_known_size_that_is_not_sme_is_a_zero(
    client: httpx.AsyncClient, token: Callable
) -> None:
    large = dict(BIDDER[D])  # 400 staff: large, computed
    tender = outcome(bidders=[large], winners=[D], award_date="2018-02-01")
    await _put(client, token, {"KS-2018-321": tender})
    s = (await client.get(f"{M}/T1")).json()["size_classes"]
    assert s["sme_share_of_bidders_with_known_size"] == v("0.0000", 1)
    assert s["sme_share_of_winners_with_known_size"] == v("0.0000", 1)
    assert s["procurements_won_by_sme"] == v(0, 1)


async def test_suppliers_standing_in_for_a_counted_field_are_winners_not_the_bidders(
    client: httpx.AsyncClient, token: Callable
) -> None:
    """An OCDS direct award that reported 3 tenderers and lists only its medium supplier:
    its size says who won, not who bid."""
    release = direct_award()
    release["tender"]["numberOfTenderers"] = 3
    r = await client.post(
        "/v1/procurements/0580/ocds", json=release_package([release]), headers=token()
    )
    assert r.status_code == 200, r.text
    tender = outcome(bidders=[A, E], winners=[A], award_date="2018-02-01")
    await _put(client, token, {"KS-2018-331": tender})
    s = (await client.get(f"{M}/T1")).json()["size_classes"]
    assert s["bidders_by_class"]["medium"] == v(0, 1) and s["bidders_with_known_size"] == v(1, 1)
    assert s["sme_share_of_bidders_with_known_size"] == v("1.0000", 1)
    assert s["winners_by_class"]["medium"] == v(1, 2)
    assert s["sme_winners"] == v(2, 2) and s["procurements_won_by_sme"] == v(2, 2)
    assert s["sme_share_of_winners_with_known_size"] == v("1.0000", 2)
    # A direct award with one reported tenderer and one supplier has its whole field listed.
    release["tender"]["numberOfTenderers"] = 1
    release["id"] += "-corrected"
    release["date"] = "2018-03-23T09:00:00+01:00"
    r = await client.post(
        "/v1/procurements/0580/ocds", json=release_package([release]), headers=token()
    )
    assert r.status_code == 200, r.text
    s = (await client.get(f"{M}/T1")).json()["size_classes"]
    assert s["bidders_by_class"]["medium"] == v(1, 2) and s["sme_bidders"] == v(2, 2)
