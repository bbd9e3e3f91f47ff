"""Setting a tolerance band through the API: only with its stated source (else a 422 naming the
field), only as an admin, and every change in the audit log."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

from indicator_service.seed import bundled_files
from municipal_shared.kit.testing import assert_problem

KS = "/v1/registers/0580/KS"
SOURCE = "Kommunstyrelsens beslut 2018-03-06 § 45"
BAND = {"default_tolerance_percent": "2", "default_tolerance_source": SOURCE}
EMAIL = "tillganglighet-e-post"


async def seed_body() -> dict[str, Any]:
    body: dict[str, Any] = json.loads(
        await anyio.Path(bundled_files()[0]).read_text(encoding="utf-8")
    )
    body["reason"] = "Toleransband enligt beslut"
    return body


def email_of(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return next((n, i) for n, i in enumerate(body["indicators"]) if i["code"] == EMAIL)


async def put(
    client: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    etag = (await client.get(KS)).headers["etag"]
    return await client.put(KS, json=body, headers={**headers, "If-Match": etag})


async def test_the_seeded_register_has_no_band(client: httpx.AsyncClient, seeded: str) -> None:
    register = (await client.get(KS)).json()
    assert (register["default_tolerance_percent"], register["default_tolerance_source"]) == (
        None,
        None,
    )
    email = (await client.get(f"{KS}/indicators/{EMAIL}")).json()
    assert (email["tolerance_percent"], email["tolerance_source"]) == (None, None)


@pytest.mark.parametrize(
    ("where", "settings", "pointer"),
    [
        ("register", {"default_tolerance_percent": "2"}, "/default_tolerance_source"),
        ("register", {"default_tolerance_source": SOURCE}, "/default_tolerance_percent"),
        ("indicator", {"tolerance_percent": "2"}, "/indicators/{n}/tolerance_source"),
        ("indicator", {"tolerance_source": SOURCE}, "/indicators/{n}/tolerance_percent"),
    ],
    ids=[
        "register band without source",
        "register source without band",
        "indicator band without source",
        "indicator source without band",
    ],
)
async def test_a_band_and_its_source_come_together_else_422_naming_the_field(
    client: httpx.AsyncClient,
    token: Callable,
    seeded: str,
    where: str,
    settings: dict[str, str],
    pointer: str,
) -> None:
    body = await seed_body()
    n, email = email_of(body)
    (body if where == "register" else email).update(settings)
    before = (await client.get(f"{KS}/audit", headers=token())).json()["total"]
    problem = assert_problem(await put(client, body, token()), 422, pointer.format(n=n))
    message = next(e["message"] for e in problem["errors"] if e["pointer"] == pointer.format(n=n))
    assert "source" in message and "band" in message
    assert (await client.get(f"{KS}/audit", headers=token())).json()["total"] == before
    assert (await client.get(KS)).json()["default_tolerance_percent"] is None


async def test_an_empty_source_is_refused(
    client: httpx.AsyncClient, token: Callable, seeded: str
) -> None:
    body = await seed_body() | {"default_tolerance_percent": "2", "default_tolerance_source": " "}
    assert_problem(await put(client, body, token()), 422, "/default_tolerance_source")


@pytest.mark.parametrize(
    "scopes", ["indicators:read", "indicators:read indicators:write indicators:assess"]
)
async def test_only_an_admin_sets_a_band(
    client: httpx.AsyncClient, token: Callable, seeded: str, scopes: str
) -> None:
    body = await seed_body() | {
        "default_tolerance_percent": "2",
        "default_tolerance_source": SOURCE,
    }
    assert_problem(await put(client, body, token(scopes)), 403)
    assert (await client.get(KS)).json()["default_tolerance_percent"] is None


async def test_setting_and_removing_the_registers_band_is_audited(
    client: httpx.AsyncClient, token: Callable, seeded: str
) -> None:
    body = await seed_body() | {
        "default_tolerance_percent": "2",
        "default_tolerance_source": SOURCE,
    }
    r = await put(client, body, token(subject="controller@linkoping.se"))
    assert r.status_code == 200, r.text
    assert (r.json()["default_tolerance_percent"], r.json()["default_tolerance_source"]) == (
        "2",
        SOURCE,
    )
    entry = (await client.get(f"{KS}/audit", headers=token())).json()["items"][-1]
    assert (entry["action"], entry["actor"], entry["reason"]) == (
        "register.changed",
        "controller@linkoping.se",
        "Toleransband enligt beslut",
    )
    assert entry["changes"] == [
        {"path": "/default_tolerance_percent", "old": None, "new": "2"},
        {"path": "/default_tolerance_source", "old": None, "new": SOURCE},
    ]
    body |= {"default_tolerance_percent": None, "default_tolerance_source": None}
    assert (await put(client, body, token())).status_code == 200
    entry = (await client.get(f"{KS}/audit", headers=token())).json()["items"][-1]
    assert entry["changes"] == [
        {"path": "/default_tolerance_percent", "old": "2", "new": None},
        {"path": "/default_tolerance_source", "old": SOURCE, "new": None},
    ]


async def test_an_indicators_band_is_served_and_audited_by_its_path(
    client: httpx.AsyncClient, token: Callable, seeded: str
) -> None:
    body = await seed_body()
    _, email = email_of(body)
    email |= {"tolerance_percent": "1.5", "tolerance_source": SOURCE}
    assert (await put(client, body, token())).status_code == 200
    served = (await client.get(f"{KS}/indicators/{EMAIL}")).json()
    assert (served["tolerance_percent"], served["tolerance_source"]) == ("1.5", SOURCE)
    entry = (await client.get(f"{KS}/audit", headers=token())).json()["items"][-1]
    assert entry["action"] == "register.changed"
    assert entry["changes"] == [
        {"path": f"/indicators/{EMAIL}/tolerance_percent", "old": None, "new": "1.5"},
        {"path": f"/indicators/{EMAIL}/tolerance_source", "old": None, "new": SOURCE},
    ]
    # The same body again changes nothing and records nothing.
    total = (await client.get(f"{KS}/audit", headers=token())).json()["total"]
    assert (await put(client, body, token())).status_code == 200
    assert (await client.get(f"{KS}/audit", headers=token())).json()["total"] == total
