"""Bad input is a 4xx problem naming the field and writes nothing (Kolada: test_kolada.py)."""

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


async def test_writes_need_scopes(client: httpx.AsyncClient, token: Callable, seeded: str) -> None:
    items = {"items": [outcome("tillganglighet-e-post", "2018", value="81")], "reason": "test"}
    assert_problem(await client.put(f"{KS}/outcomes", json=items), 401)
    assert_problem(
        await client.put(f"{KS}/outcomes", json=items, headers=token("indicators:read")), 403
    )
    assert (await client.get(f"{KS}/indicators")).status_code == 200
    assert_problem(await client.get("/v1/registers/0580/XX/indicators"), 404)
    assert_problem(await client.get(f"{KS}/reports/2030/T1"), 404)
