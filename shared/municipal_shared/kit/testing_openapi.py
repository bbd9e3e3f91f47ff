"""What every service's tests/test_openapi.py checks of its OpenAPI document: what a generated
client relies on is there, and the scopes the document declares are the ones the routes
enforce (tests only)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
from fastapi import FastAPI

from municipal_shared import API_VERSION
from municipal_shared.kit.routing import inexact_routes

UNSECURED = frozenset({"/healthz", "/readyz", "/metrics"})
Operation = tuple[str, str, dict[str, Any]]


def operations(spec: dict[str, Any]) -> Iterator[Operation]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if path not in UNSECURED:
                yield path, method, operation


def declared_access(operation: dict[str, Any]) -> tuple[list[str], bool]:
    """The bearer scopes an operation declares, and whether it may be called without a token
    (the empty requirement `{}` beside them)."""
    security = operation.get("security", [])
    scopes = [scope for requirement in security for scope in requirement.get("HTTPBearer", [])]
    return scopes, {} in security


def assert_document_complete(spec: dict[str, Any], app: FastAPI) -> None:
    """One version for the three services, a description and a declared scope on every
    operation, schema names a generator keeps apart, and every route reading JSON numbers
    exactly (kit/routing.py)."""
    assert spec["info"]["version"] == API_VERSION
    for path, method, operation in operations(spec):
        where = f"{method.upper()} {path}"
        assert operation.get("description"), f"{where} has no description"
        scopes, _ = declared_access(operation)
        assert scopes, f"{where} declares no scope"
    paired = [
        name for name in spec["components"]["schemas"] if name.endswith(("-Input", "-Output"))
    ]
    assert not paired, f"schema names a generator cannot tell apart: {paired}"
    plain = inexact_routes(app.state.service_routers)
    assert not plain, f"routes not made with kit.routing.service_router: {plain}"


def _request(path: str, method: str, operation: dict[str, Any]) -> tuple[str, str, Any]:
    """A call of the operation: path parameters from their examples (the check comes before
    anything reads them), and an empty JSON body where one is taken."""
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            examples = parameter.get("examples") or parameter["schema"].get("examples") or [1]
            example = examples[0] if isinstance(examples, list) else next(iter(examples.values()))
            value = example.get("value", example) if isinstance(example, dict) else example
            path = path.replace("{" + parameter["name"] + "}", str(value))
    return method.upper(), path, {} if "requestBody" in operation else None


async def assert_scopes_enforced(
    client: httpx.AsyncClient,
    app: FastAPI,
    spec: dict[str, Any],
    token: Callable[..., dict[str, str]],
    service_scopes: str,
) -> int:
    """For every operation and every scope it declares: a token with every other scope of
    the service is refused 403 naming that scope, a token with exactly the declared scopes is
    let through (whatever the answer then), and no token is a 401. Public reads are checked
    with AUTH_REQUIRE_READ_SCOPE on (then they need their scope) and off (then no token
    passes). Returns the number of operations checked."""
    settings = app.state.auth_settings
    checked = 0
    for path, method, operation in operations(spec):
        scopes, public = declared_access(operation)
        verb, url, body = _request(path, method, operation)
        where = f"{verb} {path}"
        settings.require_read_scope = True
        try:
            for scope in scopes:
                others = " ".join(s for s in service_scopes.split() if s != scope)
                refused = await client.request(verb, url, json=body, headers=token(others))
                assert refused.status_code == 403, (where, scope, refused.text)
                assert refused.json()["required_scope"] == scope, (where, refused.text)
            allowed = await client.request(verb, url, json=body, headers=token(" ".join(scopes)))
            assert allowed.status_code not in (401, 403), (where, allowed.text)
            anonymous = await client.request(verb, url, json=body)
            assert anonymous.status_code == 401, (where, anonymous.text)
        finally:
            settings.require_read_scope = False
        anonymous = await client.request(verb, url, json=body)
        assert (anonymous.status_code not in (401, 403)) == public, (where, anonymous.text)
        checked += 1
    return checked
