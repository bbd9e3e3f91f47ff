"""The composed tertial report across the three running services: every section with its
source and time, a stopped peer marked unavailable, and an approved report frozen."""

from __future__ import annotations

from decimal import Decimal

import httpx

from municipal_shared.kit.auth import issue_development_token
from municipal_shared.kit.settings import AuthSettings

REPORT = "/v1/registers/0580/KS/reports/2018/{}/composed"


def _headers(scopes: str) -> dict[str, str]:
    token = issue_development_token(AuthSettings(mode="development"), scopes.split(), "system-test")
    return {"Authorization": f"Bearer {token}"}


def _report_follow_up(urls: dict[str, str]) -> dict:
    """The T2 follow-up of one activity area, through the budget service's API."""
    url = urls["budget"] + "/v1/budgets/0580/KS/2018/follow-up/T2"
    etag = httpx.get(url, timeout=30).headers.get("etag")
    body = {
        "reason": "Delårsrapport T2",
        "entries": [
            {
                "activity_area_code": "kommunovergripande",
                "outcome_to_date": "4100.5",
                "full_year_forecast": "6200",
                "comment": "Systemtest",
            }
        ],
    }
    headers = {**_headers("budget:write"), **({"If-Match": etag} if etag else {})}
    r = httpx.put(url, json=body, headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def _post_procurement(urls: dict[str, str]) -> dict:
    """One outcome awarded in T2 2018, through the procurement service's API."""
    outcome = {
        "administration": "Kommunledningsförvaltningen",
        "board_code": "KS",
        "title": "Systemtest T2",
        "category": "services",
        "procedure": "open",
        "advertised": True,
        "status": "awarded",
        "award_date": "2018-06-15",
        "bidders": [
            {"organisation_number": "556036-0793", "name": "Alfa AB", "size_class": "small"},
            {"organisation_number": "556677-8899", "name": "Beta AB", "size_class": "large"},
        ],
        "winners": ["556036-0793"],
    }
    r = httpx.put(
        urls["procurement"] + "/v1/procurements/0580/SYS-2018-T2",
        json=outcome,
        headers=_headers("procurement:write"),
        timeout=30,
    )
    assert r.status_code in (200, 201), r.text
    measured = httpx.get(urls["procurement"] + "/v1/measurements/0580/2018/T2", timeout=30)
    return measured.json()


def test_all_three_sections(urls: dict[str, str]) -> None:
    follow_up = _report_follow_up(urls)
    measurement = _post_procurement(urls)
    assert measurement["competition"]["procurements"] >= 1
    report = httpx.get(urls["indicators"] + REPORT.format("T2"), timeout=30).json()
    sections = report["sections"]
    assert {name: s["status"] for name, s in sections.items()} == {
        "indicators": "available",
        "budget": "available",
        "procurement": "available",
    }
    budget = sections["budget"]["data"]
    assert budget["total"]["budget"] == 389504 and budget["period_end"] == "2018-08-31"
    row = next(r for r in budget["rows"] if r["activity_area_code"] == "kommunovergripande")
    assert Decimal(row["outcome_to_date"]) == Decimal("4100.5")
    assert Decimal(row["deviation"]) == Decimal(row["budget"]) - 6200
    assert budget["rows"] == follow_up["rows"] and budget["total"] == follow_up["total"]
    procurement = sections["procurement"]["data"]
    assert procurement["period"] == "2018-T2"
    assert procurement["competition"] == measurement["competition"]
    assert procurement["size_classes"] == measurement["size_classes"]
    assert sections["indicators"]["data"]["overall"]["total"] == 42
    assert all(s["retrieved_at"] and s["source"] for s in sections.values())


def test_a_stopped_peer_is_marked_unavailable(own_processes: dict, urls: dict[str, str]) -> None:
    procurement = own_processes["procurement"]
    procurement.stop_process()
    try:
        report = httpx.get(urls["indicators"] + REPORT.format("T2"), timeout=30).json()
    finally:
        procurement.restart()
    sections = report["sections"]
    assert sections["procurement"]["status"] == "unavailable"
    assert sections["procurement"]["data"] is None and sections["procurement"]["detail"]
    assert sections["budget"]["status"] == sections["indicators"]["status"] == "available"


def test_an_approved_report_keeps_its_figures_and_lists_changes(urls: dict[str, str]) -> None:
    url = urls["indicators"] + REPORT.format("T3")
    approval = {"decision_reference": "KF 2019-04-23 §120", "reason": "Årsredovisning 2018"}
    r = httpx.post(
        url + "/approval", json=approval, headers=_headers("reports:approve"), timeout=30
    )
    assert r.status_code == 201, r.text
    approved = r.json()
    assert (
        approved["approved"]
        and approved["approval"]["decision_reference"] == approval["decision_reference"]
    )
    later = {
        "reason": "Rättelse efter godkännande",
        "items": [{"indicator_code": "tillganglighet-e-post", "period": "2018", "value": "83"}],
    }
    r = httpx.put(
        urls["indicators"] + "/v1/registers/0580/KS/outcomes",
        json=later,
        headers=_headers("indicators:write"),
        timeout=30,
    )
    assert r.status_code == 200, r.text
    frozen = httpx.get(url, timeout=30).json()
    assert frozen["sections"] == approved["sections"]
    rows = approved["sections"]["indicators"]["data"]["rows"]
    before = next(row for row in rows if row["indicator"]["code"] == "tillganglighet-e-post")
    assert (before["outcome"]["value"], before["reference_period"]) == ("68", "2016")
    changed = {c["path"]: (c["old"], c["new"]) for c in frozen["changes_since_approval"]}
    email = "/indicators/rows/tillganglighet-e-post"
    assert changed[f"{email}/outcome/value"] == ("68", "83")
    assert changed[f"{email}/evaluation/status"] == (before["evaluation"]["status"], "met")
    assert not any(path.endswith(("/id", "/replaces_id")) for path in changed)
    again = httpx.post(
        url + "/approval", json=approval, headers=_headers("reports:approve"), timeout=30
    )
    assert again.status_code == 409
