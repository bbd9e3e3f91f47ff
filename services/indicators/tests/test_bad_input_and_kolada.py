"""Bad input is a 4xx problem naming the field and writes nothing; Kolada values round-trip."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

from indicator_service.seed import bundled_files
from municipal_shared.kit.testing import assert_problem

KS = "/v1/registers/0580/KS"
KOLADA_REGISTER = {
    "municipality_code": "0580",
    "board_code": "SN",
    "name": "Socialnämndens nyckeltal",
    "first_year": 2015,
    "last_year": 2021,
    "reason": "Ny register för Kolada-test",
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


def outcome(code: str, period: str, **extra: Any) -> dict[str, Any]:
    return {"indicator_code": code, "period": period, **extra}


BAD_ITEMS = {
    "unknown indicator": ([outcome("finns-inte", "2018", value="1")], "/items/0/indicator_code"),
    "period outside the register": (
        [outcome("personalomsattning", "2030", value="1")],
        "/items/0/period",
    ),
    "malformed period": ([outcome("personalomsattning", "2018-T4", value="1")], "/items/0/period"),
    "number and missing status": (
        [outcome("personalomsattning", "2018", value="1", status="no_data")],
        "/items/0",
    ),
    "missing number without status": ([outcome("personalomsattning", "2018")], "/items/0"),
    "percentage above 100": (
        [outcome("tillganglighet-e-post", "2018", value="100.5")],
        "/items/0/value",
    ),
    "value not a number": (
        [outcome("tillganglighet-e-post", "2018", value="many")],
        "/items/0/value",
    ),
    "second item bad": (
        [
            outcome("tillganglighet-e-post", "2018", value="81"),
            outcome("tillganglighet-e-post", "2019", value="-1"),
        ],
        "/items/1/value",
    ),
}


@pytest.mark.parametrize("case", BAD_ITEMS, ids=list(BAD_ITEMS))
async def test_bad_outcomes_write_nothing(
    client: httpx.AsyncClient, token: Callable, seeded: str, case: str
) -> None:
    items, pointer = BAD_ITEMS[case]
    before = (await client.get(f"{KS}/outcomes/changes", params={"limit": 500})).json()
    r = await client.put(
        f"{KS}/outcomes", json={"items": items, "reason": "felaktig leverans"}, headers=token()
    )
    assert_problem(r, 422, pointer)
    assert (await client.get(f"{KS}/outcomes/changes", params={"limit": 500})).json() == before


async def _seed_body() -> dict[str, Any]:
    return json.loads(await anyio.Path(bundled_files()[0]).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("mutate", "pointer"),
    [
        (
            lambda b: b["indicators"][0]["targets"][0].pop("wording"),
            "/indicators/0/targets/0/wording",
        ),
        (
            lambda b: b["indicators"][0]["targets"][0].update(kind="at_least"),
            "/indicators/0/targets/0",
        ),
        (
            lambda b: b["indicators"][0]["targets"][0].update(
                kind="relative_increase_at_least", percent="10"
            ),
            "/indicators/0/targets/0",
        ),
        (lambda b: b["indicators"][0]["targets"][0].update(value="3"), "/indicators/0/targets/0"),
        (lambda b: b["indicators"][0].update(council_goals=[12]), "/indicators/0/council_goals/0"),
        (
            lambda b: b["indicators"][1].update(code=b["indicators"][0]["code"]),
            "/indicators/1/code",
        ),
    ],
)
async def test_bad_register_is_refused_whole(
    client: httpx.AsyncClient, token: Callable, mutate: Callable, pointer: str
) -> None:
    body = copy.deepcopy(await _seed_body())
    mutate(body)
    r = await client.put(KS, json=body, headers=token())
    assert_problem(r, 422, pointer)
    assert_problem(await client.get(KS), 404)


async def test_a_changed_register_needs_its_etag(
    client: httpx.AsyncClient, token: Callable, seeded: str
) -> None:
    body = await _seed_body()
    body["indicators"][0]["definition"] = "Andel tillsvidareanställda som slutat under året"
    assert_problem(await client.put(KS, json=body, headers=token()), 428)
    assert_problem(await client.put(KS, json=body, headers={**token(), "If-Match": '"x"'}), 412)
    etag = (await client.get(KS)).headers["etag"]
    r = await client.put(KS, json=body, headers={**token(), "If-Match": etag})
    assert r.status_code == 200 and r.headers["etag"] != etag
    audit = (await client.get(f"{KS}/audit", headers=token())).json()["items"]
    assert audit[-1]["action"] == "register.changed" and audit[-1]["reason"] == body["reason"]
    assert audit[-1]["changes"] == [  # the one setting that changed, not the whole list twice
        {
            "path": "/indicators/personalomsattning/definition",
            "old": None,
            "new": "Andel tillsvidareanställda som slutat under året",
        }
    ]
    assert_problem(await client.put(KS, json=body, headers=token("indicators:write")), 403)


async def test_kolada_values_round_trip(client: httpx.AsyncClient, token: Callable) -> None:
    r = await client.put("/v1/registers/0580/SN", json=KOLADA_REGISTER, headers=token())
    assert r.status_code == 201, r.text
    values = [
        {
            "kpi": "N31807",
            "municipality": "0580",
            "period": 2016,
            "values": [
                {"gender": "K", "count": 1, "status": "", "value": 4.1},
                {"gender": "M", "count": 1, "status": "", "value": 3.9},
                {"gender": "T", "count": 1, "status": "", "value": 4},
            ],
        },
        {
            "kpi": "N31807",
            "municipality": "0580",
            "period": 2017,
            "values": [{"gender": "T", "count": 1, "status": "Bortfall", "value": None}],
        },
    ]
    imported = await client.post(
        "/v1/registers/0580/SN/kolada/values",
        json={"values": values, "reason": "Import från Kolada"},
        headers=token(),
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == 4
    exported = (await client.get("/v1/registers/0580/SN/kolada/values")).json()
    assert exported == [
        {**values[0], "values": sorted(values[0]["values"], key=lambda v: v["gender"])},
        values[1],
    ]
    again = await client.post(
        "/v1/registers/0580/SN/kolada/values",
        json={"values": exported, "reason": "Import igen"},
        headers=token(),
    )
    assert again.json()["unchanged"] == 4
    wrong = [{**values[0], "kpi": "N00001"}, {**values[1], "municipality": "0581"}]
    r = await client.post(
        "/v1/registers/0580/SN/kolada/values",
        json={"values": wrong, "reason": "Fel KPI"},
        headers=token(),
    )
    body = assert_problem(r, 422)
    assert {e["pointer"] for e in body["errors"]} == {"/values/0/kpi", "/values/1/municipality"}


async def test_writes_need_scopes(client: httpx.AsyncClient, token: Callable, seeded: str) -> None:
    items = {"items": [outcome("tillganglighet-e-post", "2018", value="81")], "reason": "test"}
    assert_problem(await client.put(f"{KS}/outcomes", json=items), 401)
    assert_problem(
        await client.put(f"{KS}/outcomes", json=items, headers=token("indicators:read")), 403
    )
    assert (await client.get(f"{KS}/indicators")).status_code == 200
    assert_problem(await client.get("/v1/registers/0580/XX/indicators"), 404)
    assert_problem(await client.get(f"{KS}/reports/2030/T1"), 404)
