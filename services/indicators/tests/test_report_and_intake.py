"""Outcomes arriving through the API are evaluated per target kind, rolled up in the tertial
report, and delivered idempotently."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from municipal_shared.kit.testing import assert_problem

KS = "/v1/registers/0580/KS"


def item(code: str, period: str, value: str | None, **extra: Any) -> dict[str, Any]:
    return {"indicator_code": code, "period": period, "value": value, **extra}


async def post(
    client: httpx.AsyncClient, headers: dict, items: list, **extra_headers: str
) -> httpx.Response:
    return await client.put(
        f"{KS}/outcomes",
        json={"items": items, "reason": "Delårsrapport T2"},
        headers={**headers, **extra_headers},
    )


def rows(report: dict) -> dict[str, dict]:
    return {row["indicator"]["code"]: row for row in report["rows"]}


async def test_each_target_kind_through_the_report(
    client: httpx.AsyncClient, token: Callable, seeded: str
) -> None:
    r = await post(
        client,
        token(),
        [
            item("tillganglighet-e-post", "2018", "81"),
            item("personalomsattning", "2018", "7.0"),
            item("andel-med-tillgang-till-bredband-om-minst-100-mbit-s", "2018", "91.5"),
            item("andel-sma-och-medelstora-sme", "2018-T2", None, status="no_data", notation="i.u"),
            item("tillganglighet-telefoni", "2018", "59"),
            item("tester-med-anvandare-for-webbutveckling", "2017", "0"),
        ],
    )
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 6
    report = (await client.get(f"{KS}/reports/2018/T2")).json()
    by_code = rows(report)
    email = by_code["tillganglighet-e-post"]
    assert (email["evaluation"]["status"], email["evaluation"]["rule"]) == ("met", "value_at_least")
    assert email["evaluation"]["compared"]["target"] == "80" and email["lagging"] is False
    turnover = by_code["personalomsattning"]["evaluation"]
    assert (turnover["status"], turnover["rule"]) == ("met", "decrease_vs_latest_earlier")
    assert turnover["compared"]["reference"] == "7.9"
    assert turnover["compared"]["reference_period"] == "2016"
    assert "2016" in turnover["reason"] and "latest earlier" in turnover["reason"]
    broadband = by_code["andel-med-tillgang-till-bredband-om-minst-100-mbit-s"]["evaluation"]
    assert (broadband["status"], broadband["rule"]) == ("not_assessable", "follow_only")
    sme = by_code["andel-sma-och-medelstora-sme"]
    assert sme["outcome"]["value"] is None and sme["evaluation"]["status"] == "not_assessable"
    phone = by_code["tillganglighet-telefoni"]["evaluation"]
    # 59 against 60: the register sets no band, so missing the level is not met.
    assert (phone["status"], phone["rule"]) == ("not_met", "value_at_least")
    # An annual value older than the report is used, and flagged as lagging.
    wifi = by_code["linkoping-wifi-antal-accesspunkter"]
    assert (wifi["reference_period"], wifi["lagging"]) == ("2016", True)
    # Roll-ups count every status; the share met ignores the not assessable.
    overall = report["overall"]
    assert overall["total"] == 42 == sum(overall["counts"].values())
    assert overall["assessable"] == overall["total"] - overall["counts"]["not_assessable"]
    goal9 = next(g for g in report["council_goals"] if g["key"] == "9")
    assert goal9["total"] == 10
    assert report["period"] == "2018-T2" and report["period_end"] == "2018-08-31"
    t1 = (await client.get(f"{KS}/reports/2019/T1")).json()
    assert rows(t1)["tillganglighet-e-post"]["lagging"] is True


async def test_i_u_is_never_a_zero_in_the_roll_up(
    client: httpx.AsyncClient, token: Callable, seeded: str
) -> None:
    await post(client, token(), [item("tillganglighet-e-post", "2018", None, status="no_data")])
    report = (await client.get(f"{KS}/reports/2018/T3")).json()
    email = rows(report)["tillganglighet-e-post"]
    assert email["evaluation"]["rule"] == "missing_value"
    assert email["outcome"]["status"] == "no_data" and email["outcome"]["value"] is None


async def test_milestone_needs_a_person(
    client: httpx.AsyncClient, token: Callable, seeded: str
) -> None:
    code = "inforande-av-e-arkiv"
    before = rows((await client.get(f"{KS}/reports/2018/T3")).json())[code]["evaluation"]
    assert before["rule"] == "milestone_awaiting_assessment"
    body = {
        "year": 2018,
        "status": "partly_met",
        "reason": "Årsredovisning",
        "motivation": "Två verksamheter har börjat se nyttan; fler följer 2019.",
    }
    r = await client.post(
        f"{KS}/indicators/{code}/assessments",
        json=body,
        headers=token(subject="arkivchef@linkoping.se"),
    )
    assert r.status_code == 201, r.text
    after = rows((await client.get(f"{KS}/reports/2018/T3")).json())[code]["evaluation"]
    assert (after["status"], after["rule"]) == ("partly_met", "milestone_assessed")
    assert "arkivchef@linkoping.se" in after["reason"]
    wrong = await client.post(
        f"{KS}/indicators/personalomsattning/assessments", json=body, headers=token()
    )
    assert_problem(wrong, 422, "/year")


async def test_a_re_post_changes_nothing_and_a_correction_keeps_history(
    client: httpx.AsyncClient, token: Callable, seeded: str
) -> None:
    first = await post(client, token(), [item("tillganglighet-e-post", "2018", "81")])
    cursor = first.json()["last_change_id"]
    again = await post(client, token(), [item("tillganglighet-e-post", "2018", "81.000")])
    assert again.json() == {
        "created": 0,
        "corrected": 0,
        "unchanged": 1,
        "last_change_id": cursor,
        "unused_figures": [],
    }
    fixed = await post(
        client,
        token(),
        [item("tillganglighet-e-post", "2018", "82", comment="Rättat efter revision")],
    )
    assert fixed.json()["corrected"] == 1
    history = (
        await client.get(
            f"{KS}/indicators/tillganglighet-e-post/history", params={"period": "2018"}
        )
    ).json()
    assert [h["value"] for h in history["items"]] == ["81", "82"]
    assert history["items"][1]["replaces_id"] == history["items"][0]["id"]
    feed = (await client.get(f"{KS}/outcomes/changes", params={"since": cursor})).json()
    assert [(c["indicator_code"], c["value"]) for c in feed["items"]] == [
        ("tillganglighet-e-post", "82")
    ]
    assert (
        await client.get(f"{KS}/outcomes/changes", params={"since": feed["next_since"]})
    ).json()["items"] == []


async def test_idempotency_key(client: httpx.AsyncClient, token: Callable, seeded: str) -> None:
    items = [item("tillganglighet-e-post", "2018-T2", "79")]
    first = await post(client, token(), items, **{"Idempotency-Key": "procurement-42"})
    assert first.json()["created"] == 1
    replay = await post(client, token(), items, **{"Idempotency-Key": "procurement-42"})
    assert replay.json() == first.json()
    other = await post(
        client,
        token(),
        [item("tillganglighet-e-post", "2018-T2", "80")],
        **{"Idempotency-Key": "procurement-42"},
    )
    assert_problem(other, 422)
    history = (
        await client.get(
            f"{KS}/indicators/tillganglighet-e-post/history", params={"period": "2018-T2"}
        )
    ).json()
    assert [h["value"] for h in history["items"]] == ["79"]


async def test_concurrent_deliveries_under_one_key_write_once(
    client: httpx.AsyncClient, token: Callable, seeded: str
) -> None:
    """A relay that timed out retries while its first attempt still runs: same answer, one row."""
    items = [item("tillganglighet-telefoni", "2018-T1", "61")]
    answers = await asyncio.gather(
        *[post(client, token(), items, **{"Idempotency-Key": "relay-7"}) for _ in range(4)]
    )
    assert [a.status_code for a in answers] == [200] * 4
    assert len({a.text for a in answers}) == 1
    history = (
        await client.get(
            f"{KS}/indicators/tillganglighet-telefoni/history", params={"period": "2018-T1"}
        )
    ).json()
    assert history["total"] == 1
