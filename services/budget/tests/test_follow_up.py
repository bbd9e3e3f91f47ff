"""Tertial follow-up: deviation = budget minus forecast, per area and in total."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
from budget_testkit import make_budget, per_year, small_content

from municipal_shared.kit.testing import assert_problem

KS = "/v1/budgets/0580/KS/2018"


async def test_robot_reads_t1_before_and_after_reporting(
    client: httpx.AsyncClient, token: Callable, seeded: Path
) -> None:
    empty = (await client.get(f"{KS}/follow-up/T1")).json()
    assert empty["reported"] is False and empty["period_end"] == "2018-04-30"
    assert empty["total"]["budget"] == 389504
    assert all(row["deviation"] is None for row in empty["rows"])

    body = {
        "reason": "Tertialrapport 1",
        "entries": [
            {
                "activity_area_code": "naringsliv",
                "outcome_to_date": "11200.5",
                "full_year_forecast": "35000",
                "comment": "Aerospace Forum dyrare",
            },
            {
                "activity_area_code": "ekonomi",
                "outcome_to_date": 14000,
                "full_year_forecast": "43000.125",
            },
        ],
    }
    r = await client.put(f"{KS}/follow-up/T1", json=body, headers=token())
    assert r.status_code == 200, r.text
    report = r.json()
    rows = {row["activity_area_code"]: row for row in report["rows"]}
    assert rows["naringsliv"]["budget"] == 34449
    assert rows["naringsliv"]["deviation"] == "-551.000"
    assert rows["ekonomi"]["budget"] == 44373
    assert rows["ekonomi"]["deviation"] == "1372.875"
    assert rows["personal"]["deviation"] is None
    # Two of twelve areas: the total has no figures yet, rather than a sum of two set
    # against the whole budget.
    assert report["areas_reported"] == 2
    assert report["total"] == {
        "budget": 389504,
        "outcome_to_date": None,
        "full_year_forecast": None,
        "deviation": None,
    }
    assert report["reference_version"] == 1 and report["reported"] is True
    etag = r.headers["etag"]

    body["entries"][0]["full_year_forecast"] = "34449"
    assert_problem(await client.put(f"{KS}/follow-up/T1", json=body, headers=token()), 428)
    assert_problem(
        await client.put(
            f"{KS}/follow-up/T1", json=body, headers={**token(), "If-Match": '"follow-up-0-0"'}
        ),
        412,
    )
    r = await client.put(f"{KS}/follow-up/T1", json=body, headers={**token(), "If-Match": etag})
    assert r.status_code == 200
    assert {row["activity_area_code"]: row for row in r.json()["rows"]}["naringsliv"][
        "deviation"
    ] == "0.000"
    replay = await client.put(f"{KS}/follow-up/T1", json=body, headers=token())
    assert replay.status_code == 200 and replay.json() == r.json()
    other = (await client.get(f"{KS}/follow-up/T2")).json()
    assert other["reported"] is False and other["period_end"] == "2018-08-31"


async def test_follow_up_measures_against_the_latest_decided_version(
    client: httpx.AsyncClient, token: Callable
) -> None:
    """A draft of the next phase does not move the budget a tertial is followed up against;
    its decision does."""
    h = token()
    path, etag = await make_budget(client, h, board="KFN")
    draft_only = (await client.get(f"{path}/follow-up/T2")).json()
    assert (draft_only["reference_version"], draft_only["total"]["budget"]) == (1, 1070)
    decision = {"decided_by": "KF", "decision_date": "2029-11-27", "paragraph": "§ 412"}
    r = await client.post(
        f"{path}/versions/1/decision",
        json={**decision, "reason": "Fullmäktiges beslut"},
        headers={**h, "If-Match": etag},
    )
    assert r.status_code in (200, 201), r.text
    r = await client.post(
        f"{path}/versions", json={"phase": "board_proposal", "reason": "Nästa fas"}, headers=h
    )
    assert r.status_code == 201, r.text
    content = small_content("Större ram")
    content["activity_areas"][1]["base_amounts"] = per_year(920, 440, 460, 480)
    r = await client.put(
        f"{path}/versions/2", json=content, headers={**h, "If-Match": r.headers["etag"]}
    )
    assert r.status_code == 200, r.text
    follow_up = (await client.get(f"{path}/follow-up/T2")).json()
    assert (follow_up["reference_version"], follow_up["total"]["budget"]) == (1, 1070)
    r = await client.post(
        f"{path}/versions/2/decision",
        json={**decision, "paragraph": "§ 413", "reason": "Nämndens beslut"},
        headers={**h, "If-Match": r.headers["etag"]},
    )
    assert r.status_code in (200, 201), r.text
    follow_up = (await client.get(f"{path}/follow-up/T2")).json()
    assert (follow_up["reference_version"], follow_up["total"]["budget"]) == (2, 1570)
    personal = next(row for row in follow_up["rows"] if row["activity_area_code"] == "personal")
    assert (personal["activity_area_name"], personal["budget"]) == ("Personal", 920)


async def test_the_total_has_figures_once_every_area_has_reported(
    client: httpx.AsyncClient, token: Callable, seeded: Path
) -> None:
    rows = (await client.get(f"{KS}/follow-up/T3")).json()["rows"]
    entries = [
        {
            "activity_area_code": row["activity_area_code"],
            "outcome_to_date": f"{row['budget']}.25",
            "full_year_forecast": str(row["budget"] - 1),
        }
        for row in rows
    ]
    body = {"reason": "Årsredovisning", "entries": entries}
    report = (await client.put(f"{KS}/follow-up/T3", json=body, headers=token())).json()
    assert report["areas_reported"] == len(rows) == 12
    assert report["total"] == {
        "budget": 389504,
        "outcome_to_date": "389507.000",  # 12 areas, each 0.25 over its budget
        "full_year_forecast": f"{389504 - 12}.000",
        "deviation": "12.000",
    }
