"""Scopes guard writes; every error, from the router or the domain, is problem+json."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi import FastAPI

from municipal_shared.kit.testing import assert_problem

BODY = {
    "municipality_code": "0580",
    "board_code": "KS",
    "budget_year": 2030,
    "title": "Budget",
    "reason": "behörighetstest",
}


async def test_write_needs_a_token_with_the_scope(
    client: httpx.AsyncClient, token: Callable
) -> None:
    r = await client.post("/v1/budgets", json=BODY)
    assert_problem(r, 401)
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert_problem(await client.post("/v1/budgets", json=BODY, headers=token("budget:read")), 403)
    assert_problem(
        await client.put(
            "/v1/municipalities/0580",
            json={"name": "L", "reason": "abc"},
            headers=token("budget:write"),
        ),
        403,
    )
    assert (await client.get("/v1/budgets")).json()["total"] == 0


async def test_malformed_or_forged_tokens(client: httpx.AsyncClient, token: Callable) -> None:
    for header in ("Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer a.b.c"):
        r = await client.post("/v1/budgets", json=BODY, headers={"Authorization": header})
        assert_problem(r, 401)
    import jwt

    forged = jwt.encode(
        {
            "sub": "x",
            "scope": "budget:write",
            "iss": "municipal-steering-dev",
            "aud": "municipal-steering",
            "exp": 4102444800,
        },
        "another-secret-of-32-bytes-long!",
        algorithm="HS256",
    )
    assert_problem(
        await client.post("/v1/budgets", json=BODY, headers={"Authorization": f"Bearer {forged}"}),
        401,
    )
    # A bad token on a public read is refused too, never silently ignored.
    assert_problem(await client.get("/v1/budgets", headers={"Authorization": "Bearer x"}), 401)


async def test_reads_can_be_made_to_require_a_scope(
    app: FastAPI, client: httpx.AsyncClient, token: Callable
) -> None:
    settings = app.state.auth_settings
    settings.require_read_scope = True
    try:
        assert_problem(await client.get("/v1/budgets"), 401)
        assert_problem(await client.get("/v1/budgets", headers=token("budget:write")), 403)
        assert (await client.get("/v1/budgets", headers=token("budget:read"))).status_code == 200
    finally:
        settings.require_read_scope = False


async def test_router_errors_are_problems(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/v1/nothing-here"), 404)
    assert_problem(await client.patch("/v1/budgets"), 405)
    assert_problem(await client.get("/v1/budgets/05800/KS/2018"), 422, "/municipality_code")
    r = await client.post(
        "/v1/budgets", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_problem(r, 422)


async def test_request_id_is_echoed_and_in_problems(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/nothing-here", headers={"X-Request-ID": "robot-42"})
    assert r.headers["x-request-id"] == "robot-42"
    assert r.json()["request_id"] == "robot-42"
    generated = await client.get("/healthz")
    assert len(generated.headers["x-request-id"]) == 32


async def test_registry_changes_are_audited(client: httpx.AsyncClient, token: Callable) -> None:
    admin = token("budget:admin", subject="registrator@linkoping.se")
    body = {"name": "Linköping", "reason": "Ny kommun i systemet"}
    assert (
        await client.put("/v1/municipalities/0580", json=body, headers=admin)
    ).status_code == 201
    assert (
        await client.put("/v1/municipalities/0580", json=body, headers=admin)
    ).status_code == 200
    board = {"name": "Kommunstyrelsen", "reason": "Första nämnden"}
    r = await client.put("/v1/municipalities/0580/boards/KS", json=board, headers=admin)
    assert r.status_code == 201
    entries = (await client.get("/v1/municipalities/0580/audit", headers=token())).json()
    assert [(e["action"], e["target"], e["actor"]) for e in entries["items"]] == [
        ("municipality.registered", "0580", "registrator@linkoping.se"),
        ("board.registered", "0580/KS", "registrator@linkoping.se"),
    ]
    boards = (await client.get("/v1/municipalities/0580/boards")).json()
    assert boards["items"] == [
        {"municipality_code": "0580", "code": "KS", "name": "Kommunstyrelsen"}
    ]
    assert_problem(await client.get("/v1/municipalities/0999/boards"), 404)


async def test_a_rename_names_the_state_it_was_based_on(
    client: httpx.AsyncClient, token: Callable
) -> None:
    admin = token("budget:admin")
    await client.put(
        "/v1/municipalities/0580", json={"name": "Linköping", "reason": "Ny kommun"}, headers=admin
    )
    read = await client.get("/v1/municipalities/0580")
    assert read.status_code == 200, read.text
    etag = read.headers["etag"]
    rename = {"name": "Linköpings kommun", "reason": "Officiellt namn"}
    problem = assert_problem(
        await client.put("/v1/municipalities/0580", json=rename, headers=admin), 428
    )
    assert problem["current_etag"] == etag
    renamed = await client.put(
        "/v1/municipalities/0580", json=rename, headers={**admin, "If-Match": etag}
    )
    assert renamed.status_code == 200 and renamed.headers["etag"] != etag
    late = {"name": "Linköpings stad", "reason": "Samma ETag som den förra"}
    assert_problem(
        await client.put("/v1/municipalities/0580", json=late, headers={**admin, "If-Match": etag}),
        412,
    )
    assert (await client.get("/v1/municipalities/0580")).json()["name"] == "Linköpings kommun"
    entries = (await client.get("/v1/municipalities/0580/audit", headers=token())).json()["items"]
    assert [(e["action"], e["changes"][0]["old"]) for e in entries] == [
        ("municipality.registered", None),
        ("municipality.renamed", "Linköping"),
    ]


async def test_a_board_rename_needs_if_match_and_the_same_name_is_a_no_op(
    client: httpx.AsyncClient, token: Callable
) -> None:
    admin = token("budget:admin")
    await client.put(
        "/v1/municipalities/0580", json={"name": "Linköping", "reason": "Ny kommun"}, headers=admin
    )
    board = {"name": "Kommunstyrelsen", "reason": "Första nämnden"}
    created = await client.put("/v1/municipalities/0580/boards/KS", json=board, headers=admin)
    assert created.status_code == 201
    again = await client.put("/v1/municipalities/0580/boards/KS", json=board, headers=admin)
    assert again.status_code == 200 and again.headers["etag"] == created.headers["etag"]
    rename = {"name": "Kommunstyrelsen (KS)", "reason": "Förtydligat"}
    assert_problem(
        await client.put("/v1/municipalities/0580/boards/KS", json=rename, headers=admin), 428
    )
    etag = (await client.get("/v1/municipalities/0580/boards/KS")).headers["etag"]
    renamed = await client.put(
        "/v1/municipalities/0580/boards/KS", json=rename, headers={**admin, "If-Match": etag}
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Kommunstyrelsen (KS)"
    assert_problem(await client.get("/v1/municipalities/0580/boards/XX"), 404)
