"""Procurement figures reach the indicator register through the outbox, exactly once, even
when the register is down while the outcomes arrive; every change reaches it, a return to an
earlier value too, in order; and a figure nothing is known about arrives as no data, never 0.
Each test uses a year of its own, so they do not see each other's figures."""

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


def _outcome(
    reference: str, bidders: list[str], award_date: str, size_class: str | None = "small"
) -> dict[str, Any]:
    names = {"556036-0793": "Alfa AB", "556677-8899": "Beta AB", "556123-4567": "Gamma AB"}
    size = {} if size_class is None else {"size_class": size_class}
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
        "bidders": [{"organisation_number": n, "name": names[n], **size} for n in bidders],
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
        state = _wait_for(lambda: (s := _outbox(urls)) and s["pending"] >= 3 and s)
        assert state["delivered"] == 0 or state["pending"] >= 3
    finally:
        indicators.restart()
    _wait_for(lambda: _outbox(urls)["pending"] == 0)
    state = _outbox(urls)
    dead = _dead_letters(urls)
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


def _put(urls: dict[str, str], items: list[dict[str, Any]]) -> None:
    r = httpx.put(
        f"{urls['procurement']}/v1/procurements/0580",
        json={"items": items},
        headers=_headers("procurement:write"),
        timeout=30,
    )
    assert r.status_code == 200, r.text


def _outbox(urls: dict[str, str]) -> dict[str, int]:
    # The outbox is an operator's view: read with a token, whether or not reads are open.
    r = httpx.get(
        f"{urls['procurement']}/v1/outbox", headers=_headers("procurement:read"), timeout=10
    )
    assert r.status_code == 200, r.text
    return r.json()


def _dead_letters(urls: dict[str, str], service: str = "procurement") -> dict[str, Any]:
    r = httpx.get(
        f"{urls[service]}/v1/outbox/dead-letters", headers=_headers("procurement:read"), timeout=10
    )
    assert r.status_code == 200, r.text
    return r.json()


def _history(urls: dict[str, str], indicator: str, period: str) -> list[dict[str, Any]]:
    path = f"/v1/registers/0580/KS/indicators/{indicator}/history"
    r = httpx.get(urls["indicators"] + path, params={"period": period}, timeout=10)
    return [h for h in r.json()["items"] if h["source"] == "procurement-service"]


MEAN = "antal-anbudsgivare-per-upphandling"
SME = "andel-sma-och-medelstora-sme"
PERIODS_2020 = ("2020-T1", "2020-T2", "2020-T3")


def _means(urls: dict[str, str]) -> dict[str, list[str]]:
    return {p: [h["value"] for h in _history(urls, MEAN, p)] for p in PERIODS_2020}


def test_a_figure_that_returns_to_an_earlier_value_reaches_the_register_again(
    own_processes: dict, urls: dict[str, str]
) -> None:
    """2 -> 3 -> 2 bidders per procurement, the register down while 3 waits and the figure
    goes back to 2: the register ends with 2, having received 2, 3, 2 once each."""
    two, three = ["556036-0793", "556677-8899"], ["556036-0793", "556677-8899", "556123-4567"]
    _put(urls, [_outcome("SYS-2020-1", two, "2020-02-01")])
    _wait_for(lambda: _means(urls) == {p: ["2"] for p in PERIODS_2020})
    _wait_for(lambda: _outbox(urls)["pending"] == 0)
    delivered_before = _outbox(urls)["delivered"]
    indicators = own_processes["indicators"]
    indicators.stop_process()
    try:
        _put(urls, [_outcome("SYS-2020-1", three, "2020-02-01")])
        # The 3 is in the outbox, for T1, T2 and T3, before the figure goes back.
        _wait_for(lambda: _outbox(urls)["pending"] >= 3)
        _put(urls, [_outcome("SYS-2020-1", two, "2020-02-01")])
    finally:
        indicators.restart()
    _wait_for(lambda: _means(urls) == {p: ["2", "3", "2"] for p in PERIODS_2020})
    _wait_for(lambda: _outbox(urls)["pending"] == 0)
    state = _outbox(urls)
    dead = _dead_letters(urls)
    assert state["dead"] == 0, [(d["last_status_code"], d["last_error"]) for d in dead["items"]]
    # One message per tertial for the 3 and one for the return to 2: each delivered once.
    assert state["delivered"] - delivered_before == 6
    outcomes = httpx.get(urls["indicators"] + INDICATOR).json()["outcomes"]
    mine = {o["period"]: o for o in outcomes if o["source"] == "procurement-service"}
    assert {p: (mine[p]["value"], mine[p]["status"]) for p in PERIODS_2020} == {
        p: ("2", "normal") for p in PERIODS_2020
    }


def test_no_bidder_of_known_size_reaches_the_register_as_no_data_not_zero(
    urls: dict[str, str],
) -> None:
    _put(
        urls,
        [
            _outcome("SYS-2021-1", ["556036-0793", "556677-8899"], "2021-02-01", None),
            _outcome("SYS-2021-2", ["556123-4567"], "2021-03-01", None),
        ],
    )
    measured = httpx.get(f"{urls['procurement']}/v1/measurements/0580/2021/T1", timeout=30)
    sizes = measured.json()["size_classes"]
    assert sizes["sme_share_of_bidders_with_known_size"] == {"value": None, "based_on": 0}
    assert sizes["sme_share_of_bidders"] == {"value": None, "based_on": 0}
    assert sizes["bidders_by_class"]["no_data"] == {"value": 3, "based_on": 2}
    history = _wait_for(lambda: _history(urls, SME, "2021-T1"))
    assert [(h["value"], h["status"]) for h in history] == [(None, "no_data")]
    sme = httpx.get(urls["indicators"] + f"/v1/registers/0580/KS/indicators/{SME}").json()
    row = {o["period"]: o for o in sme["outcomes"] if o["source"] == "procurement-service"}
    assert (row["2021-T1"]["value"], row["2021-T1"]["status"]) == (None, "no_data")
    # The figures that are known still arrive as values.
    mean = _wait_for(lambda: _history(urls, MEAN, "2021-T1"))
    assert [(h["value"], h["status"]) for h in mean] == [("1.5", "normal")]


# Which register rows procurement's figures feed is the register's data, not codes kept in
# the procurement service: each row says which figure it records.
FED_BY = {
    MEAN: "procurement.bidders_per_procurement",
    SME: "procurement.sme_share_of_bidders_with_known_size",
    "upphandlingar-med-sysselsattningskrav": "procurement.employment_requirement_set_and_signed",
}


def test_the_register_rows_say_which_procurement_figure_feeds_them(urls: dict[str, str]) -> None:
    for code, figure in FED_BY.items():
        path = f"/v1/registers/0580/KS/indicators/{code}"
        indicator = httpx.get(urls["indicators"] + path, timeout=10).json()
        assert indicator["fed_by"] == figure, code


@pytest.mark.parametrize("service", ["procurement"])
def test_the_outbox_is_visible(urls: dict[str, str], service: str) -> None:
    dead = _dead_letters(urls, service)
    assert dead["total"] == 0
