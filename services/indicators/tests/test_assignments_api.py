"""Assignments through HTTP on a real database: the seeded list, a tertial's follow-up in the
register's report and the composed report (counts, the SME assignment beside the delivered
procurement figures, a status not updated), corrections kept as history, Idempotency-Key,
scope and audit, bad input refused with nothing written, and loading twice changing nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import indicator_service
from indicator_service.seed import bundled_assignment_files, bundled_files, load_file
from municipal_shared.kit.testing import assert_problem

KS = "/v1/registers/0580/KS"
ASSIGNMENTS = f"{KS}/assignments"
FOLLOW_UP = f"{ASSIGNMENTS}/follow-up"
REPORT_T2 = f"{KS}/reports/2018/T2"
DATA_FILE = Path(indicator_service.__file__).parent / "seed_data" / "assignments" / "0580-KS.json"
SME = "anbudsgivare-och-sme"
BROADBAND = "bredband"
GDPR = "dataskyddsforordningen"
CARBON = "koldioxidneutralt-linkoping-2025"


@pytest.fixture
async def seeded_all(app: Any) -> list[str]:
    """The register and its assignments, as `make run` seeds them."""
    return [
        await load_file(app.state.database, p) for p in bundled_files() + bundled_assignment_files()
    ]


def item(code: str, status: str, period: str = "2018-T2", **extra: Any) -> dict[str, Any]:
    return {"assignment_code": code, "period": period, "status": status, **extra}


async def follow_up(
    client: httpx.AsyncClient, headers: dict[str, str], items: list[dict[str, Any]], **kw: Any
) -> httpx.Response:
    body = {"items": items, "reason": "Delårsrapport T2"}
    return await client.put(FOLLOW_UP, json=body, headers={**headers, **kw.get("extra", {})})


THREE = [
    item(SME, "done", comment="Mätningen redovisas varje tertial"),
    item(BROADBAND, "ongoing"),
    item(GDPR, "delayed", status_reason="Draftit infördes senare än planerat"),
]


async def test_every_assignment_of_the_document_is_listed(
    client: httpx.AsyncClient, seeded_all: list[str]
) -> None:
    page = (await client.get(ASSIGNMENTS)).json()
    printed = json.loads(DATA_FILE.read_text(encoding="utf-8"))["assignments"]
    assert page["total"] == len(printed) == 16
    assert [a["title"] for a in page["items"]] == [a["title"] for a in printed]
    assert [a["answer"] for a in page["items"]] == [a["answer"] for a in printed]
    sme = next(a for a in page["items"] if a["code"] == SME)
    assert sme["figures"] == [
        "procurement.bidders_per_procurement",
        "procurement.sme_share_of_bidders_with_known_size",
    ]
    assert sme["latest"] is None and sme["href"] == f"{ASSIGNMENTS}/{SME}"
    carbon = next(a for a in page["items"] if a["code"] == CARBON)
    assert (carbon["council_goals"], carbon["focus_areas"]) == (
        [5],
        ["hallbarhet-och-koldioxidneutralitet"],
    )


async def test_seeding_twice_changes_nothing(
    app: Any, client: httpx.AsyncClient, token: Callable, seeded_all: list[str]
) -> None:
    assert seeded_all[1] == "0580/KS assignments: 16 created, 0 changed"
    register = await client.get(KS)
    audit = (await client.get(f"{KS}/audit", headers=token())).json()
    listed = (await client.get(ASSIGNMENTS)).json()
    files = bundled_files() + bundled_assignment_files()
    again = [await load_file(app.state.database, p) for p in files]
    assert again == ["0580/KS: unchanged", "0580/KS assignments: 0 created, 0 changed"]
    assert (await client.get(KS)).headers["etag"] == register.headers["etag"]
    assert (await client.get(f"{KS}/audit", headers=token())).json()["total"] == audit["total"]
    assert (await client.get(ASSIGNMENTS)).json() == listed
    actions = [e["action"] for e in audit["items"]]
    assert actions.count("assignments.loaded") == 1 and actions[-1] == "assignments.loaded"


async def test_a_t2_follow_up_in_the_register_report_with_the_delivered_figures(
    client: httpx.AsyncClient, token: Callable, seeded_all: list[str]
) -> None:
    before = await client.get(REPORT_T2)  # stored now; the write below must invalidate it
    assert before.json()["assignments"]["counts"]["no_status"] == 16
    delivered = {
        "items": [
            {
                "figure": "procurement.bidders_per_procurement",
                "period": "2018-T2",
                "value": "3.5",
                "source": "procurement-service",
            },
            {
                "figure": "procurement.sme_share_of_bidders_with_known_size",
                "period": "2018-T2",
                "value": "40",
                "source": "procurement-service",
            },
        ],
        "reason": "Upphandlingsmätning",
    }
    assert (await client.put(f"{KS}/outcomes", json=delivered, headers=token())).status_code == 200
    r = await follow_up(client, token("indicators:write"), THREE)
    assert r.status_code == 200, r.text
    assert r.json() == {"created": 3, "corrected": 0, "unchanged": 0}
    early = await follow_up(client, token(), [item(CARBON, "ongoing", period="2018-T1")])
    assert early.status_code == 200, early.text

    report = await client.get(REPORT_T2, headers={"If-None-Match": before.headers["etag"]})
    assert report.status_code == 200  # a new rendering, not the stored one
    section = report.json()["assignments"]
    assert section["period"] == "2018-T2"
    assert section["counts"] == {
        "not_started": 0, "ongoing": 2, "done": 1, "delayed": 1, "cancelled": 0,
        "no_status": 12, "not_updated": 13, "total": 16,
    }  # fmt: skip
    items = {i["code"]: i for i in section["items"]}
    sme = items[SME]
    assert (sme["status"], sme["status_period"], sme["not_updated"]) == ("done", "2018-T2", False)
    assert sme["comment"] == "Mätningen redovisas varje tertial"
    figures = {f["figure"]: f for f in sme["linked_figures"]}
    bidders = figures["procurement.bidders_per_procurement"]
    assert bidders["indicator_code"] == "antal-anbudsgivare-per-upphandling"
    assert (bidders["outcome"]["value"], bidders["reference_period"]) == ("3.5", "2018-T2")
    share = figures["procurement.sme_share_of_bidders_with_known_size"]
    assert (share["outcome"]["value"], share["unit"]) == ("40", "%")
    gdpr = items[GDPR]
    assert (gdpr["status"], gdpr["status_reason"]) == (
        "delayed",
        "Draftit infördes senare än planerat",
    )
    broadband = items[BROADBAND]["linked_figures"]
    assert [(f["figure"], f["indicator_code"]) for f in broadband] == [
        (None, "andel-med-tillgang-till-bredband-om-minst-100-mbit-s")
    ]
    assert broadband[0]["outcome"]["period"] == "2016"  # the latest annual value, lagging
    carbon = items[CARBON]  # followed up in T1 only: shown, and flagged not updated
    assert (carbon["status"], carbon["status_period"], carbon["not_updated"]) == (
        "ongoing",
        "2018-T1",
        True,
    )
    goal_five = next(g for g in section["council_goals"] if g["key"] == "5")
    assert (goal_five["counts"]["ongoing"], goal_five["counts"]["total"]) == (1, 2)
    area = next(
        f for f in section["focus_areas"] if f["key"] == "hallbarhet-och-koldioxidneutralitet"
    )
    assert area["counts"]["ongoing"] == 1 and area["counts"]["not_updated"] == 1

    t1 = (await client.get(f"{KS}/reports/2018/T1")).json()["assignments"]
    assert t1["counts"]["ongoing"] == 1 and t1["counts"]["no_status"] == 15  # T2 not yet

    composed = (await client.get(f"{REPORT_T2}/composed")).json()
    assert composed["assignments"] == section
    assert "assignments" not in composed["sections"]["indicators"]["data"]


async def test_a_correction_keeps_the_earlier_entry_and_a_repeat_writes_nothing(
    client: httpx.AsyncClient, token: Callable, seeded_all: list[str]
) -> None:
    assert (await follow_up(client, token(), THREE)).status_code == 200
    repeat = await follow_up(client, token(), THREE)
    assert repeat.json() == {"created": 0, "corrected": 0, "unchanged": 3}
    fixed = await follow_up(client, token(), [item(GDPR, "done", comment="Klart i augusti")])
    assert fixed.json() == {"created": 0, "corrected": 1, "unchanged": 0}
    detail = (await client.get(f"{ASSIGNMENTS}/{GDPR}")).json()
    first, second = detail["history"]
    assert (first["status"], second["status"], second["replaces_id"]) == (
        "delayed",
        "done",
        first["id"],
    )
    assert detail["latest"] == second and detail["title"].startswith("Att säkerställa att nya")
    audit = (await client.get(f"{KS}/audit", headers=token())).json()["items"]
    entries = [e for e in audit if e["action"] == "assignments.followed_up"]
    assert len(entries) == 2  # the repeat wrote nothing
    assert entries[-1]["actor"] == "analytiker@linkoping.se"
    assert entries[-1]["changes"] == [
        {
            "path": f"/assignments/{GDPR}/follow-up/2018-T2",
            "old": {
                "status": "delayed",
                "comment": None,
                "status_reason": "Draftit infördes senare än planerat",
            },
            "new": {"status": "done", "comment": "Klart i augusti", "status_reason": None},
        }
    ]


async def test_idempotency_key_replays_the_first_answer_and_refuses_other_content(
    client: httpx.AsyncClient, token: Callable, seeded_all: list[str]
) -> None:
    key = {"extra": {"Idempotency-Key": "t2-uppdrag-1"}}
    first = await follow_up(client, token(), THREE, **key)
    again = await follow_up(client, token(), THREE, **key)
    assert first.json() == again.json() == {"created": 3, "corrected": 0, "unchanged": 0}
    other = await follow_up(client, token(), [item(SME, "ongoing")], **key)
    assert_problem(other, 422)
    assert (await client.get(f"{ASSIGNMENTS}/{SME}")).json()["latest"]["status"] == "done"


async def test_reporting_needs_indicators_write(
    client: httpx.AsyncClient, token: Callable, seeded_all: list[str]
) -> None:
    assert_problem(await follow_up(client, {}, THREE), 401)
    assert_problem(await follow_up(client, token("indicators:read"), THREE), 403)
    assert (await client.get(f"{ASSIGNMENTS}/{SME}")).json()["history"] == []


@pytest.mark.parametrize(
    ("bad", "pointer"),
    [
        (item("inget-sadant-uppdrag", "done"), "/items/1/assignment_code"),
        (item(SME, "paused"), "/items/1/status"),
        (item(SME, "delayed"), "/items/1/status_reason"),
        (item(SME, "cancelled", status_reason="  "), "/items/1/status_reason"),
        (item(SME, "done", period="2030-T2"), "/items/1/period"),
        (item(SME, "done", period="2014-T3"), "/items/1/period"),
        (item(SME, "done", period="2018"), "/items/1/period"),
    ],
)
async def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    client: httpx.AsyncClient,
    token: Callable,
    seeded_all: list[str],
    bad: dict[str, Any],
    pointer: str,
) -> None:
    audit_before = (await client.get(f"{KS}/audit", headers=token())).json()["total"]
    r = await follow_up(client, token(), [item(BROADBAND, "ongoing"), bad])
    problem = assert_problem(r, 422)
    assert pointer in [e["pointer"] for e in problem["errors"]], problem
    for code in (BROADBAND, SME):
        assert (await client.get(f"{ASSIGNMENTS}/{code}")).json()["history"] == []
    assert (await client.get(f"{KS}/audit", headers=token())).json()["total"] == audit_before


async def test_an_unknown_assignment_or_register_is_404(
    client: httpx.AsyncClient, token: Callable, seeded_all: list[str]
) -> None:
    assert_problem(await client.get(f"{ASSIGNMENTS}/inget-sadant-uppdrag"), 404)
    r = await client.put(
        "/v1/registers/0580/TN/assignments/follow-up",
        json={"items": THREE, "reason": "Delårsrapport T2"},
        headers=token(),
    )
    assert_problem(r, 404)


async def test_changing_loaded_assignments_needs_the_register_etag(
    client: httpx.AsyncClient, token: Callable, seeded_all: list[str]
) -> None:
    body = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    body["assignments"][0]["responsible"] = "HR-direktören"
    assert_problem(await client.put(ASSIGNMENTS, json=body, headers=token()), 428)
    assert_problem(await client.put(ASSIGNMENTS, json=body, headers=token("indicators:write")), 403)
    etag = (await client.get(KS)).headers["etag"]
    r = await client.put(ASSIGNMENTS, json=body, headers={**token(), "If-Match": etag})
    assert r.status_code == 200, r.text
    assert (r.json()["changed"], r.json()["unchanged"]) == (1, 15)
    assert r.headers["etag"] == r.json()["etag"] != etag  # the register changed
    bad = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    bad["assignments"][1]["council_goals"] = [42]
    bad["assignments"][2]["indicators"] = ["ingen-indikator"]
    problem = assert_problem(
        await client.put(ASSIGNMENTS, json=bad, headers={**token(), "If-Match": "*"}), 422
    )
    assert {e["pointer"] for e in problem["errors"]} == {
        "/assignments/1/council_goals/0",
        "/assignments/2/indicators/0",
    }


async def test_a_status_write_shows_in_the_next_read_of_the_stored_reports(
    client: httpx.AsyncClient, token: Callable, seeded_all: list[str]
) -> None:
    """Both reports are stored renderings (kit/documents.py): a read after the write must not
    get the stored bytes from before it."""
    paths = (REPORT_T2, f"{REPORT_T2}/composed")
    stored = {p: await client.get(p) for p in paths}
    for path, first in stored.items():
        repeat = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert repeat.status_code == 304, path  # served from the store
    assert (await follow_up(client, token(), [item(SME, "ongoing")])).status_code == 200
    for path, first in stored.items():
        after = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert after.status_code == 200, path
        section = after.json()["assignments"]
        assert section["counts"]["ongoing"] == 1, path
        assert next(i for i in section["items"] if i["code"] == SME)["status"] == "ongoing"
