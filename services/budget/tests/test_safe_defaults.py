"""Safe defaults of a service: audit logs are never public, every response carries security
headers (HSTS only when configured, the docs pages without the API's CSP), a stalled
database answers readiness within 2 s, and the built-in secret is refused off loopback."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from budget_service.main import create_app
from budget_service.settings import VERSION_TABLE, BudgetSettings
from municipal_shared.kit.settings import AuthSettings
from municipal_shared.kit.testing import assert_problem
from municipal_shared.kit.testing_faults import database_locked

KS = "/v1/budgets/0580/KS/2018"
Token = Callable[..., dict[str, str]]


@pytest.mark.parametrize("path", [f"{KS}/audit", "/v1/municipalities/0580/audit"])
async def test_audit_logs_need_the_read_scope_even_when_reads_are_public(
    client: httpx.AsyncClient, token: Token, seeded: Path, path: str
) -> None:
    anonymous = await client.get(path)
    assert "budget:read" in assert_problem(anonymous, 401)["detail"]
    assert anonymous.headers["www-authenticate"] == 'Bearer scope="budget:read"'
    assert_problem(await client.get(path, headers=token("budget:write")), 403)
    assert (await client.get(path, headers=token("budget:read"))).status_code == 200
    assert (await client.get(KS)).status_code == 200  # the budget itself stays public


async def test_security_headers_on_answers_and_problems(
    app: object, client: httpx.AsyncClient, token: Token, seeded: Path
) -> None:
    for response in (
        await client.get(KS),
        await client.get("/v1/budgets/0580/KS/1999"),  # 422
        await client.get("/healthz"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["content-security-policy"] == (
            "default-src 'none'; frame-ancestors 'none'"
        )
        assert "strict-transport-security" not in response.headers
        assert "no-store" not in response.headers.get("cache-control", "")
    assert (await client.get(KS, headers=token())).headers["cache-control"] == "no-store"
    # The interactive documentation loads Swagger UI and ReDoc from a CDN: no API CSP there.
    for page in ("/docs", "/redoc"):
        docs = await client.get(page)
        assert docs.status_code == 200 and "content-security-policy" not in docs.headers
        assert docs.headers["x-content-type-options"] == "nosniff"


async def test_hsts_only_when_configured(database_url: str) -> None:
    settings = BudgetSettings(database_url=database_url, hsts_max_age_seconds=31_536_000)
    app = create_app(settings, AuthSettings(mode="development"))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://budget.test") as c:
            response = await c.get("/healthz")
    assert response.headers["strict-transport-security"] == "max-age=31536000"


async def test_a_stalled_database_makes_readyz_503_within_2_seconds(
    client: httpx.AsyncClient, database_url: str
) -> None:
    assert (await client.get("/readyz")).status_code == 200
    async with database_locked(database_url, VERSION_TABLE):
        started = time.monotonic()
        stalled = await client.get("/readyz")
        elapsed = time.monotonic() - started
    assert stalled.status_code == 503 and elapsed < 2.0, (stalled.text, elapsed)
    assert stalled.json()["status"] == "unavailable"
    assert (await client.get("/readyz")).status_code == 200


async def test_the_openapi_document_names_the_503_of_every_operation(
    client: httpx.AsyncClient,
) -> None:
    spec = (await client.get("/openapi.json")).json()
    for path, item in spec["paths"].items():
        if path in ("/healthz", "/readyz"):
            continue
        for method, operation in item.items():
            assert "503" in operation["responses"], f"{method.upper()} {path}"


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "budget.example-kommun.se"])  # noqa: S104
async def test_the_built_in_secret_is_refused_off_loopback(database_url: str, host: str) -> None:
    app = create_app(
        BudgetSettings(database_url=database_url, host=host), AuthSettings(mode="development")
    )
    with pytest.raises(RuntimeError, match=f"AUTH_DEV_SECRET.*BUDGET_HOST={re.escape(host)}"):
        async with LifespanManager(app):
            pass
