"""The composed report when its peers cannot be read, and how a frozen report lists changes.
(With the peers running, across processes: tests/test_composed_report.py.)"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from indicator_service.composed import changes
from municipal_shared.kit.testing import assert_problem

COMPOSED = "/v1/registers/0580/KS/reports/2018/T2/composed"


async def test_unreachable_peers_are_marked_not_dropped(
    client: httpx.AsyncClient, seeded: str
) -> None:
    report = (await client.get(COMPOSED)).json()
    assert set(report["sections"]) == {"indicators", "budget", "procurement"}
    assert report["sections"]["indicators"]["status"] == "available"
    assert report["sections"]["indicators"]["data"]["overall"]["total"] == 42
    for peer in ("budget", "procurement"):
        section = report["sections"][peer]
        assert section["status"] == "unavailable" and section["data"] is None
        assert section["detail"].startswith("unreachable") and section["retrieved_at"]
        assert section["source"].startswith("http://127.0.0.1:9/v1/")
    assert report["approved"] is False


async def test_an_incomplete_report_cannot_be_approved(
    client: httpx.AsyncClient, token: Callable, seeded: str
) -> None:
    body = {"decision_reference": "KS 2018-10-02 §312", "reason": "Delårsrapport"}
    assert_problem(
        await client.post(f"{COMPOSED}/approval", json=body, headers=token("indicators:write")), 403
    )
    problem = assert_problem(
        await client.post(f"{COMPOSED}/approval", json=body, headers=token()), 409
    )
    assert problem["sections"] == ["budget", "procurement"]


def test_changes_list_old_and_new_values_and_ignore_times() -> None:
    old = {"budget": {"total": {"deviation": "10"}, "updated_at": "a"}, "rows": [{"v": 1}]}
    new = {
        "budget": {"total": {"deviation": "12"}, "updated_at": "b"},
        "rows": [{"v": 1}, {"v": 2}],
    }
    assert [c.model_dump() for c in changes(old, new)] == [
        {"path": "/budget/total/deviation", "old": "10", "new": "12"},
        {"path": "/rows/1", "old": None, "new": {"v": 2}},
    ]
