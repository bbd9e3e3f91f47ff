"""Procurement figures reach the indicator register through the outbox, exactly once, even
when the register is down while the outcomes arrive."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from municipal_shared.kit.auth import issue_development_token
from municipal_shared.kit.settings import AuthSettings

INDICATOR = "/v1/registers/0580/KS/indicators/antal-anbudsgivare-per-upphandling"


def _headers(scope: str) -> dict[str, str]:
    token = issue_development_token(AuthSettings(mode="development"), [scope], "system-test")
    return {"Authorization": f"Bearer {token}"}


def _outcome(reference: str, bidders: list[str], award_date: str) -> dict[str, Any]:
    names = {"556036-0793": "Alfa AB", "556677-8899": "Beta AB", "556123-4567": "Gamma AB"}
    return {
        "reference": reference,
        "administration": "Kommunledningsförvaltningen",
        "board_code": "KS",
        "title": "Systemtest",
        "category": "services",
        "procedure": "open",
        "advertised": True,
        "status": "awarded",
        "award_date": award_date,
        "bidders": [
            {"organisation_number": n, "name": names[n], "size_class": "small"} for n in bidders
        ],
        "winners": bidders[:1],
    }


def _wait_for(check: Any, seconds: float = 40) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError("condition not met before the deadline")


def test_values_posted_while_the_register_is_down_arrive_exactly_once(
    own_processes: dict, urls: dict[str, str]
) -> None:
    indicators = own_processes["indicators"]
    indicators.stop_process()
    try:
        items = [
            _outcome("SYS-2019-1", ["556036-0793", "556677-8899"], "2019-02-01"),
            _outcome("SYS-2019-2", ["556036-0793", "556677-8899", "556123-4567"], "2019-03-01"),
        ]
        r = httpx.put(
            f"{urls['procurement']}/v1/procurements/0580",
            json={"items": items},
            headers=_headers("procurement:write"),
            timeout=30,
        )
        assert r.status_code == 200, r.text
        state = _wait_for(
            lambda: (
                (s := httpx.get(f"{urls['procurement']}/v1/outbox").json())
                and s["pending"] >= 3
                and s
            )
        )
        assert state["delivered"] == 0 or state["pending"] >= 3
    finally:
        indicators.restart()
    _wait_for(lambda: httpx.get(f"{urls['procurement']}/v1/outbox").json()["pending"] == 0)
    state = httpx.get(f"{urls['procurement']}/v1/outbox").json()
    dead = httpx.get(f"{urls['procurement']}/v1/outbox/dead-letters").json()
    assert state["dead"] == 0, [(d["last_status_code"], d["last_error"]) for d in dead["items"]]
    outcomes = httpx.get(urls["indicators"] + INDICATOR).json()["outcomes"]
    mine = {o["period"]: o for o in outcomes if o["source"] == "procurement-service"}
    assert mine["2019-T1"]["value"] == "2.5" and mine["2019-T3"]["value"] == "2.5"
    for period in ("2019-T1", "2019-T2", "2019-T3"):
        history = httpx.get(
            urls["indicators"] + INDICATOR + "/history", params={"period": period}
        ).json()
        assert [h["value"] for h in history["items"]] == ["2.5"], period
    sme = httpx.get(
        urls["indicators"] + "/v1/registers/0580/KS/indicators/andel-sma-och-medelstora-sme"
    )
    assert {o["period"]: o["value"] for o in sme.json()["outcomes"]}["2019-T1"] == "100"


@pytest.mark.parametrize("service", ["procurement"])
def test_the_outbox_is_visible(urls: dict[str, str], service: str) -> None:
    dead = httpx.get(f"{urls[service]}/v1/outbox/dead-letters").json()
    assert dead["total"] == 0
