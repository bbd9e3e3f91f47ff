"""Assignments (issue 16) across the running services, seeded as `make run` seeds them: the
whole list, a T2 follow-up beside the procurement figures the procurement service delivered
through its outbox, in the register's report and the composed report, and an approved
composed report that keeps its statuses after a later change and lists the change."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import httpx

from municipal_shared.kit.auth import issue_development_token
from municipal_shared.kit.settings import AuthSettings

KS = "/v1/registers/0580/KS"
SME = "anbudsgivare-och-sme"
MEAN = "procurement.bidders_per_procurement"
SHARE = "procurement.sme_share_of_bidders_with_known_size"


def _headers(scopes: str) -> dict[str, str]:
    token = issue_development_token(AuthSettings(mode="development"), scopes.split(), "system-test")
    return {"Authorization": f"Bearer {token}"}


def _wait_for(check: Any, seconds: float = 40) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError("condition not met before the deadline")


def _follow_up(urls: dict[str, str], items: list[dict[str, Any]]) -> dict[str, Any]:
    r = httpx.put(
        f"{urls['indicators']}{KS}/assignments/follow-up",
        json={"items": items, "reason": "Uppföljning av uppdrag"},
        headers=_headers("indicators:write"),
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return r.json()


def _sme_figures(urls: dict[str, str], period: str) -> dict[str, Any] | None:
    """The SME assignment's linked figures in the register's report, once procurement's
    figures for the period have arrived."""
    year, tertial = period.split("-")
    report = httpx.get(f"{urls['indicators']}{KS}/reports/{year}/{tertial}", timeout=30).json()
    sme = next(i for i in report["assignments"]["items"] if i["code"] == SME)
    figures = {f["figure"]: f for f in sme["linked_figures"]}
    outcome = figures[MEAN]["outcome"]
    if outcome is None or outcome["source"] != "procurement-service":
        return None
    return figures


def test_every_assignment_of_the_document_is_listed_after_seeding(urls: dict[str, str]) -> None:
    page = httpx.get(f"{urls['indicators']}{KS}/assignments", timeout=30).json()
    assert page["total"] == 16
    titles = [a["title"] for a in page["items"]]
    assert titles[0].startswith("Att utveckla arbetets organisering och processer")
    assert "Att säkerställa att nya dataskyddsförordningen följs i hela kommunen." in titles


def test_a_t2_follow_up_beside_the_delivered_procurement_figures(urls: dict[str, str]) -> None:
    outcome = {
        "administration": "Kommunledningsförvaltningen",
        "board_code": "KS",
        "title": "Uppdragstest T2",
        "category": "services",
        "procedure": "open",
        "advertised": True,
        "status": "awarded",
        "award_date": "2018-07-02",
        "bidders": [
            {"organisation_number": "556036-0793", "name": "Alfa AB", "size_class": "micro"},
            {"organisation_number": "556677-8899", "name": "Beta AB", "size_class": "large"},
        ],
        "winners": ["556036-0793"],
    }
    r = httpx.put(
        f"{urls['procurement']}/v1/procurements/0580/UPPDRAG-2018-T2",
        json=outcome,
        headers=_headers("procurement:write"),
        timeout=30,
    )
    assert r.status_code in (200, 201), r.text
    measured = httpx.get(f"{urls['procurement']}/v1/measurements/0580/2018/T2", timeout=30).json()
    figures = _wait_for(lambda: _sme_figures(urls, "2018-T2"))
    mean = Decimal(measured["competition"]["bidders_per_procurement_mean"]["value"])
    assert Decimal(figures[MEAN]["outcome"]["value"]) == mean  # as measured and delivered
    assert figures[SHARE]["outcome"]["period"] == "2018-T2"

    written = _follow_up(
        urls,
        [
            {"assignment_code": SME, "period": "2018-T2", "status": "done"},
            {"assignment_code": "bredband", "period": "2018-T2", "status": "ongoing"},
            {
                "assignment_code": "dataskyddsforordningen",
                "period": "2018-T2",
                "status": "delayed",
                "status_reason": "Rutinerna i Draftit blev klara först i augusti",
            },
        ],
    )
    assert written["created"] + written["corrected"] + written["unchanged"] == 3
    report = httpx.get(f"{urls['indicators']}{KS}/reports/2018/T2", timeout=30).json()
    section = report["assignments"]
    counts = section["counts"]
    assert (counts["done"], counts["ongoing"], counts["delayed"], counts["total"]) == (1, 1, 1, 16)
    sme = next(i for i in section["items"] if i["code"] == SME)
    assert (sme["status"], sme["not_updated"]) == ("done", False)
    linked = {f["figure"]: f["outcome"]["value"] for f in sme["linked_figures"]}
    assert Decimal(linked[MEAN]) == mean
    composed = httpx.get(f"{urls['indicators']}{KS}/reports/2018/T2/composed", timeout=30).json()
    assert composed["assignments"]["counts"] == counts
    assert composed["assignments"]["items"] == section["items"]


def test_an_approved_report_keeps_its_assignment_statuses_and_lists_the_change(
    urls: dict[str, str],
) -> None:
    url = f"{urls['indicators']}{KS}/reports/2018/T1/composed"
    _follow_up(urls, [{"assignment_code": "bredband", "period": "2018-T1", "status": "ongoing"}])
    approval = {"decision_reference": "KS 2018-06-12 §190", "reason": "Tertialrapport T1"}
    r = httpx.post(
        url + "/approval", json=approval, headers=_headers("reports:approve"), timeout=30
    )
    assert r.status_code == 201, r.text
    approved = r.json()
    item = next(i for i in approved["assignments"]["items"] if i["code"] == "bredband")
    assert item["status"] == "ongoing"

    _follow_up(urls, [{"assignment_code": "bredband", "period": "2018-T1", "status": "done"}])
    frozen = httpx.get(url, timeout=30).json()
    assert frozen["approved"] and frozen["assignments"] == approved["assignments"]
    changed = {c["path"]: (c["old"], c["new"]) for c in frozen["changes_since_approval"]}
    assert changed["/assignments/items/bredband/status"] == ("ongoing", "done")
    assert changed["/assignments/counts/done"][1] == changed["/assignments/counts/done"][0] + 1
