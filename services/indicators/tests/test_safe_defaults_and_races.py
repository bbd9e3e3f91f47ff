"""Identical outcome deliveries at the same moment all get the first answer; the audit log is
never public; every response carries the security headers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from municipal_shared.kit.testing import assert_problem

KS = "/v1/registers/0580/KS"
Token = Callable[..., dict[str, str]]


def _item(code: str, period: str, value: str) -> dict[str, str]:
    return {"indicator_code": code, "period": period, "value": value}


async def test_identical_deliveries_under_one_key_at_the_same_moment_all_get_the_first_answer(
    client: httpx.AsyncClient, token: Token, seeded: str
) -> None:
    first = [_item("tillganglighet-e-post", "2018", "81")]
    body = {"items": first, "reason": "Delårsrapport T2"}
    assert (await client.put(f"{KS}/outcomes", json=body, headers=token())).status_code == 200
    audit_before = (await client.get(f"{KS}/audit", headers=token())).json()["total"]
    # A correction and two new values, delivered ten times at once under one key (a relay
    # that timed out and retried while its first attempts still ran).
    items = [
        _item("tillganglighet-e-post", "2018", "82"),
        _item("tillganglighet-telefoni", "2018-T1", "61"),
        _item("personalomsattning", "2018", "7.0"),
    ]
    body = {"items": items, "reason": "Delårsrapport T2"}
    headers = {**token(), "Idempotency-Key": "relay-0580-KS-2018-T2"}
    answers = await asyncio.gather(
        *[client.put(f"{KS}/outcomes", json=body, headers=headers) for _ in range(10)]
    )
    assert [a.status_code for a in answers] == [200] * 10, [a.text for a in answers]
    assert len({a.content for a in answers}) == 1
    assert answers[0].json() | {"last_change_id": None} == {
        "created": 2,
        "corrected": 1,
        "unchanged": 0,
        "last_change_id": None,
        "unused_figures": [],
    }
    history = await client.get(
        f"{KS}/indicators/tillganglighet-e-post/history", params={"period": "2018"}
    )
    assert [h["value"] for h in history.json()["items"]] == ["81", "82"]
    audit = (await client.get(f"{KS}/audit", headers=token())).json()["total"]
    assert audit == audit_before + 1  # written once


async def test_the_audit_log_needs_the_read_scope_even_when_reads_are_public(
    client: httpx.AsyncClient, token: Token, seeded: str
) -> None:
    refused = assert_problem(await client.get(f"{KS}/audit"), 401)
    assert "indicators:read" in refused["detail"]
    assert refused["instance"] == f"{KS}/audit"
    # Before the register is looked up: without a token nobody learns which registers exist.
    assert_problem(await client.get("/v1/registers/0580/XX/audit"), 401)
    assert_problem(await client.get(f"{KS}/audit", headers=token("indicators:write")), 403)
    assert (await client.get(f"{KS}/audit", headers=token("indicators:read"))).status_code == 200
    assert (await client.get(KS)).status_code == 200  # the register itself stays public


async def test_every_response_carries_the_security_headers(
    client: httpx.AsyncClient, token: Token, seeded: str
) -> None:
    for response in (
        await client.get(KS),
        await client.get(f"{KS}/audit"),  # a 401 problem
        await client.get("/v1/registers/0580/XX"),  # a 404 problem
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert "strict-transport-security" not in response.headers  # off unless configured
    authenticated = await client.get(KS, headers=token())
    assert authenticated.headers["cache-control"] == "no-store"
    assert "no-store" not in (await client.get(KS)).headers.get("cache-control", "")
