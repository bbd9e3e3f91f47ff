"""Prometheus metrics of a service process, served at /metrics.

Counted as things happen (process-wide, prometheus_client's default registry, with the
process's CPU, memory and file descriptors beside them):
- `http_requests_total` and `http_request_duration_seconds` by method, route template and
  status, observed at the edge (kit/edge.py). The route is the template (`/v1/budgets/
  {municipality}/...`), never the path, and a request no route matched is `unmatched`, so the
  number of series is bounded by the routes, not by what clients send;
- `outbox_delivery_attempts_total` by destination and outcome (defined in kit/outbox.py);
- `peer_read_failures_total` by shared contract and reason: each is a composed-report section
  marked unavailable (defined in kit/peers.py).

Read at scrape time, in one statement each: the connections in use of the app's pools, and
for a service with an outbox its pending and dead messages and the age of the oldest pending.

A process counts only itself: run one worker per container or pod (scale by replicas) and
let Prometheus add the instances up.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Table

from municipal_shared.kit.database import utc_now
from municipal_shared.kit.outbox import backlog
from municipal_shared.kit.problems import Forbidden, NotFound, Unauthorized

logger = logging.getLogger("municipal_shared.metrics")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNMATCHED = "unmatched"
LABELS = ("method", "route", "status")

# A `_created` timestamp beside every counter doubles the series and no dashboard reads it.
disable_created_metrics()  # type: ignore[no-untyped-call]  # prometheus_client leaves it unannotated
REQUESTS = Counter("http_requests", "Requests answered, by route template and status.", LABELS)
DURATION = Histogram(
    "http_request_duration_seconds",
    "Time from the request's arrival to its answer's last byte, by route template and status.",
    LABELS,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


class RequestSeries:
    """The request counter's and histogram's children per (method, route, status), looked up
    once: prometheus_client's `labels()` costs more than the observation itself."""

    def __init__(self) -> None:
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            labels = (method, route, str(status))
            children = (REQUESTS.labels(*labels), DURATION.labels(*labels))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


class _Snapshot(Collector):
    """Gauges read just before the scrape (the reads are async; collect() is not)."""

    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self.families = families

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from self.families


async def _scrape_time_gauges(request: Request) -> list[GaugeMetricFamily]:
    state = request.app.state
    in_use = GaugeMetricFamily(
        "db_pool_connections_in_use", "Database connections checked out of a pool.", labels=["pool"]
    )
    size = GaugeMetricFamily(
        "db_pool_connections", "Database connections a pool holds open.", labels=["pool"]
    )
    pool = state.database.engine.sync_engine.pool
    if hasattr(pool, "checkedout"):  # a queue pool (PostgreSQL, a SQLite file)
        in_use.add_metric(["sqlalchemy"], pool.checkedout())
        size.add_metric(["sqlalchemy"], pool.checkedout() + pool.checkedin())
    documents = getattr(state, "documents", None)
    # The stored-document reads' own asyncpg pool, once it is open (PostgreSQL only).
    doc_pool = getattr(documents, "_pool", None)
    if doc_pool is not None:
        in_use.add_metric(["documents"], doc_pool.get_size() - doc_pool.get_idle_size())
        size.add_metric(["documents"], doc_pool.get_size())
    families = [in_use, size]
    outbox: Table | None = getattr(state, "metrics_outbox", None)
    if outbox is not None:
        try:
            found = await backlog(state.database.engine, outbox)
        except Exception as exc:  # the database is down: the other series still help
            logger.warning("outbox backlog not read for /metrics: %r", exc)
            return families
        messages = GaugeMetricFamily(
            "outbox_messages", "Outbox messages by status (pending, dead).", labels=["status"]
        )
        messages.add_metric(["pending"], found.pending)
        messages.add_metric(["dead"], found.dead)
        oldest = found.oldest_pending
        age = (utc_now() - oldest).total_seconds() if oldest is not None else 0.0
        families += [
            messages,
            GaugeMetricFamily(
                "outbox_oldest_pending_age_seconds",
                "Age of the oldest message still waiting for delivery; 0 when none waits.",
                value=max(age, 0.0),
            ),
        ]
    return families


def _check_access(request: Request) -> None:
    """A token when METRICS_TOKEN is set; without one, open in development mode only."""
    token = request.app.state.edge_settings.metrics_token
    if token is None:
        if request.app.state.auth_settings.mode == "production":
            raise NotFound("/metrics is off: set METRICS_TOKEN to serve it in production mode")
        return
    given = request.headers.get("authorization", "")
    if not given.startswith("Bearer "):
        raise Unauthorized(
            "/metrics needs the metrics bearer token",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    if not hmac.compare_digest(given[7:].encode(), token.get_secret_value().encode()):
        raise Forbidden("Not the metrics token")


def metrics_router() -> APIRouter:
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        _check_access(request)
        snapshot = CollectorRegistry(auto_describe=False)
        snapshot.register(_Snapshot(await _scrape_time_gauges(request)))
        body = generate_latest(REGISTRY) + generate_latest(snapshot)
        return Response(body, media_type=CONTENT_TYPE)

    return router
