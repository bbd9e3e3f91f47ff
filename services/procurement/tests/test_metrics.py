"""/metrics of the procurement service: request series by route template, the database pool,
and the outbox backlog read from the database at scrape time (kit/metrics.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import update

from municipal_shared.kit.database import utc_now
from municipal_shared.kit.outbox import DEAD, enqueue
from municipal_shared.kit.settings import AuthSettings, EdgeSettings
from procurement_service.models import OUTBOX


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def _scrape(client: httpx.AsyncClient, **headers: str) -> dict[Any, float]:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return _samples(response.text)


async def _outbox(app: Any, pending_ages_minutes: list[int], dead: int) -> None:
    async with app.state.database.sessions() as session:
        for n, minutes in enumerate(pending_ages_minutes):
            await enqueue(
                session, OUTBOX, destination="indicators", method="PUT",
                path=f"/v1/figures/{n}", body={"n": n}, idempotency_key=f"pending-{n}",
            )  # fmt: skip
            await session.execute(
                update(OUTBOX)
                .where(OUTBOX.c.idempotency_key == f"pending-{n}")
                .values(created_at=utc_now() - dt.timedelta(minutes=minutes))
            )
        for n in range(dead):
            await enqueue(
                session, OUTBOX, destination="indicators", method="PUT",
                path=f"/v1/figures/dead-{n}", body={}, idempotency_key=f"dead-{n}",
            )  # fmt: skip
        await session.execute(
            update(OUTBOX).where(OUTBOX.c.idempotency_key.like("dead-%")).values(status=DEAD)
        )
        await session.commit()


async def test_the_outbox_backlog_and_the_pool_are_scraped(
    app: Any, client: httpx.AsyncClient
) -> None:
    empty = await _scrape(client)
    assert empty[("outbox_messages", frozenset({("status", "pending")}))] == 0
    assert empty[("outbox_oldest_pending_age_seconds", frozenset())] == 0
    await _outbox(app, pending_ages_minutes=[5, 90, 30], dead=2)
    found = await _scrape(client)
    assert found[("outbox_messages", frozenset({("status", "pending")}))] == 3
    assert found[("outbox_messages", frozenset({("status", "dead")}))] == 2
    age = found[("outbox_oldest_pending_age_seconds", frozenset())]
    assert 90 * 60 <= age < 95 * 60
    in_use = found[("db_pool_connections_in_use", frozenset({("pool", "sqlalchemy")}))]
    assert in_use >= 0 and ("db_pool_connections", frozenset({("pool", "sqlalchemy")})) in found


async def test_requests_are_series_by_route_template(client: httpx.AsyncClient) -> None:
    route = "/v1/measurements/{municipality_code}/{year}/{tertial}"
    key = (
        "http_requests_total",
        frozenset({("method", "GET"), ("route", route), ("status", "200")}),
    )
    before = (await _scrape(client)).get(key, 0.0)
    for tertial in ("T1", "T2"):
        assert (await client.get(f"/v1/measurements/0580/2018/{tertial}")).status_code == 200
    after = await _scrape(client)
    assert after[key] == before + 2
    assert any(name == "http_request_duration_seconds_bucket" for name, _ in after)
    assert not any(("route", "/v1/measurements/0580/2018/T1") in labels for _, labels in after)


@contextmanager
def _state(app: Any, **values: Any) -> Iterator[None]:
    """Other settings for the app's next requests (the app is the session's)."""
    kept = {name: getattr(app.state, name) for name in values}
    for name, value in values.items():
        setattr(app.state, name, value)
    try:
        yield
    finally:
        for name, value in kept.items():
            setattr(app.state, name, value)


async def test_a_metrics_token_guards_the_scrape(app: Any, client: httpx.AsyncClient) -> None:
    secret = "scrape-secret-0123456789abcdef"
    with _state(app, edge_settings=EdgeSettings(metrics_token=SecretStr(secret))):
        assert (await client.get("/metrics")).status_code == 401
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer not-it"})
        assert wrong.status_code == 403
        await _scrape(client, Authorization=f"Bearer {secret}")


async def test_production_without_a_metrics_token_serves_no_metrics(
    app: Any, client: httpx.AsyncClient
) -> None:
    production = AuthSettings.model_construct(mode="production", jwks_url="https://idp.example")
    with _state(app, auth_settings=production, edge_settings=EdgeSettings()):
        response = await client.get("/metrics")
    assert response.status_code == 404 and "METRICS_TOKEN" in response.json()["detail"]
