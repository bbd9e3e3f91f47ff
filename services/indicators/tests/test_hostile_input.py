"""Input an attacker would send to the register: each is a 4xx problem naming the field or the
limit, never a 500, and nothing is written. Runs on the backend the environment selects
(SQLite, or PostgreSQL with INDICATORS_TEST_DATABASE_URL)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from indicator_service.settings import IndicatorSettings
from municipal_shared.kit.testing import assert_problem

SN = "/v1/registers/0580/SN"
KOLADA = f"{SN}/kolada/values"
JSON = {"content-type": "application/json"}
REGISTER = {
    "municipality_code": "0580",
    "board_code": "SN",
    "name": "Socialnämndens nyckeltal",
    "first_year": 2015,
    "last_year": 2021,
    "reason": "Register för test av fientlig indata",
    "council_goals": [{"number": 1, "title": "Fler ska nå egen försörjning", "board_linked": True}],
    "indicators": [
        {
            "code": "ekonomiskt-bistand",
            "name": "Invånare med ekonomiskt bistånd, andel (%)",
            "unit": "%",
            "polarity": "lower_is_better",
            "source_kind": "kolada",
            "source_ref": "N31807",
            "council_goals": [1],
            "targets": [{"year": 2018, "kind": "decrease", "wording": "ska minska"}],
        }
    ],
}


def raw(body: Any, **numbers: str) -> bytes:
    """JSON with non-ASCII escaped (a lone surrogate travels as `\\ud800`); each string
    `"<NAME>"` is replaced by the literal number text numbers[NAME] (e.g. 1e400)."""
    text = json.dumps(body)
    for name, literal in numbers.items():
        text = text.replace(f'"<{name}>"', literal)
    return text.encode()


def kolada(value: Any = 4.1, status: Any = "") -> dict[str, Any]:
    entry = {
        "kpi": "N31807",
        "municipality": "0580",
        "period": 2016,
        "values": [{"gender": "T", "count": 1, "status": status, "value": value}],
    }
    return {"values": [entry], "reason": "Import från Kolada"}


@pytest.fixture
async def register(client: httpx.AsyncClient, token: Callable) -> None:
    r = await client.put(SN, json=REGISTER, headers=token())
    assert r.status_code == 201, r.text


async def nothing_recorded(client: httpx.AsyncClient) -> None:
    changes = (await client.get(f"{SN}/outcomes/changes")).json()
    assert changes["items"] == [], changes


VALUE = "/values/0/values/0/value"
STATUS = "/values/0/values/0/status"
KOLADA_CASES = {
    # Each was a 500: the value passed the intake and failed converting to an outcome.
    "1e400 as text": (kolada("1e400"), {}, VALUE),
    "1e308": (kolada("<N>"), {"N": "1e308"}, VALUE),
    "30 digits": (kolada("123456789012345678901234567890"), {}, VALUE),
    "10 000-character status": (kolada(None, "x" * 10_000), {}, STATUS),
    # Refused by the kit before the route: not JSON numbers, or not storable text.
    "1e400 as a number": (kolada("<N>"), {"N": "1e400"}, VALUE),
    "NaN": (kolada("<N>"), {"N": "NaN"}, VALUE),
    "lone surrogate in the status": (kolada(None, "Bortfall \ud800"), {}, STATUS),
    "NUL in the status": (kolada(None, "Bortfall \x00"), {}, STATUS),
}


@pytest.mark.parametrize("case", KOLADA_CASES, ids=list(KOLADA_CASES))
async def test_kolada_value_out_of_bounds_is_422_naming_it(
    client: httpx.AsyncClient, token: Callable, register: None, case: str
) -> None:
    body, numbers, pointer = KOLADA_CASES[case]
    r = await client.post(KOLADA, content=raw(body, **numbers), headers={**token(), **JSON})
    assert_problem(r, 422, pointer)
    await nothing_recorded(client)


async def test_kolada_values_within_bounds_are_still_taken(
    client: httpx.AsyncClient, token: Callable, register: None
) -> None:
    body = kolada("12.345678", "")  # six decimals, as the column keeps
    body["values"][0]["values"].append({"gender": "K", "status": "x" * 200, "value": None})
    r = await client.post(KOLADA, json=body, headers=token())
    assert r.status_code == 200 and r.json()["created"] == 2, r.text


def outcome(**fields: Any) -> dict[str, Any]:
    item = {"indicator_code": "ekonomiskt-bistand", "period": "2016", "value": "4.1"}
    return {"items": [{**item, **fields}], "reason": "Delårsrapport T2"}


OUTCOME_CASES = {
    "1e400 as a number": (outcome(value="<N>"), {"N": "1e400"}, "/items/0/value"),
    "1e308": (outcome(value="<N>"), {"N": "1e308"}, "/items/0/value"),
    "30 digits": (outcome(value="123456789012345678901234567890"), {}, "/items/0/value"),
    "lone surrogate in a comment": (outcome(comment="Ökat \ud800"), {}, "/items/0/comment"),
    "NUL in the analysis": (outcome(analysis="Ökat \x00"), {}, "/items/0/analysis"),
    "lone surrogate in the source": (outcome(source="\udfff"), {}, "/items/0/source"),
}


@pytest.mark.parametrize("case", OUTCOME_CASES, ids=list(OUTCOME_CASES))
async def test_outcome_out_of_bounds_is_422_naming_it(
    client: httpx.AsyncClient, token: Callable, register: None, case: str
) -> None:
    body, numbers, pointer = OUTCOME_CASES[case]
    r = await client.put(
        f"{SN}/outcomes", content=raw(body, **numbers), headers={**token(), **JSON}
    )
    assert_problem(r, 422, pointer)
    await nothing_recorded(client)


async def test_a_20_mb_footnote_is_413_and_never_reaches_the_audit_log(
    client: httpx.AsyncClient, token: Callable
) -> None:
    body = copy.deepcopy(REGISTER)
    body["indicators"][0]["footnotes"] = ["x" * (20 * 1024 * 1024)]
    r = await client.put(SN, json=body, headers=token())
    limit = IndicatorSettings().max_body_bytes
    assert assert_problem(r, 413)["max_body_bytes"] == limit == 1024 * 1024
    assert_problem(await client.get(SN), 404)


async def test_footnotes_are_bounded_within_the_body_limit(
    client: httpx.AsyncClient, token: Callable
) -> None:
    body = copy.deepcopy(REGISTER)
    body["indicators"][0]["footnotes"] = ["x" * 1001]
    assert_problem(
        await client.put(SN, json=body, headers=token()), 422, "/indicators/0/footnotes/0"
    )
    body["indicators"][0]["footnotes"] = ["Källa: Kolada"] * 21
    assert_problem(await client.put(SN, json=body, headers=token()), 422, "/indicators/0/footnotes")
    body["indicators"][0]["footnotes"] = ["x" * 1000] * 20
    assert (await client.put(SN, json=body, headers=token())).status_code == 201


async def test_unstorable_text_in_a_register_is_422_naming_it(
    client: httpx.AsyncClient, token: Callable
) -> None:
    body = copy.deepcopy(REGISTER)
    body["indicators"][0]["targets"][0]["wording"] = "ska \ud800 minska"
    body["indicators"][0]["footnotes"] = ["Källa\x00"]
    r = await client.put(SN, content=raw(body), headers={**token(), **JSON})
    problem = assert_problem(r, 422, "/indicators/0/targets/0/wording")
    assert "/indicators/0/footnotes/0" in [e["pointer"] for e in problem["errors"]]
    assert_problem(await client.get(SN), 404)
