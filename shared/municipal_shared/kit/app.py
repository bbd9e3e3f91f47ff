"""One way to build a service app: lifespan-owned resources, request ids, problem+json,
health, auth. Services pass their routers and settings; nothing is created at import."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy import Table

from municipal_shared import API_VERSION
from municipal_shared.kit.auth import TokenVerifier, document_public_reads
from municipal_shared.kit.conditional import ConditionalGetMiddleware
from municipal_shared.kit.database import Database
from municipal_shared.kit.database_faults import install_database_fault_handlers
from municipal_shared.kit.document_store import DocumentStore
from municipal_shared.kit.documents import DocumentTables, tracking
from municipal_shared.kit.edge import install_edge_middleware
from municipal_shared.kit.health import health_router
from municipal_shared.kit.limits import install_request_limits
from municipal_shared.kit.logging_setup import configure_logging
from municipal_shared.kit.metrics import metrics_router
from municipal_shared.kit.migrations import alembic_config, head_revision
from municipal_shared.kit.params import document_required_headers
from municipal_shared.kit.problems import Problem, install_problem_handlers
from municipal_shared.kit.safe_defaults import refuse_unsafe_serving
from municipal_shared.kit.settings import AuthSettings, EdgeSettings, ServiceSettings
from municipal_shared.kit.stored_reads import StoredReadsMiddleware
from municipal_shared.kit.tracing import instrument_app, instrument_engine, otel_requested

Extra = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_service_app(
    *,
    title: str,
    description: str,
    settings: ServiceSettings,
    auth_settings: AuthSettings,
    script_location: str,
    version_table: str,
    routers: Sequence[APIRouter],
    openapi_tags: list[dict[str, Any]],
    extra_lifespan: Extra | None = None,
    body_limits: Mapping[str, int] | None = None,
    documents: DocumentTables | None = None,
    outbox: Table | None = None,
    edge_settings: EdgeSettings | None = None,
) -> FastAPI:
    """`documents`: the service stores rendered documents (kit/documents.py); its sessions
    then count every write, and `app.state.documents` serves them. `outbox`: the service's
    outbox table, whose backlog /metrics reports. `edge_settings`: read from the
    environment when not given (kit/settings.py EdgeSettings)."""
    edge = edge_settings or EdgeSettings()
    tracing = otel_requested()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        refuse_unsafe_serving(settings, auth_settings)
        if not logging.getLogger().handlers:  # served by plain uvicorn, not `serve`
            configure_logging(settings.log_level, edge.log_format, title)
        app.state.settings = settings
        app.state.auth_settings = auth_settings
        app.state.edge_settings = edge
        app.state.metrics_outbox = outbox
        app.state.token_verifier = TokenVerifier(auth_settings)
        app.state.database = Database(
            settings.database_url,
            connect_timeout=settings.db_connect_timeout_seconds,
            statement_timeout=settings.db_statement_timeout_seconds,
            session_factory=tracking(documents),
        )
        if tracing:
            instrument_engine(app.state.database.engine)
        if documents is not None:
            app.state.documents = DocumentStore(app.state.database, documents)
        app.state.version_table = version_table
        app.state.head_revision = head_revision(
            alembic_config(script_location, settings.database_url, version_table)
        )
        try:
            if extra_lifespan is None:
                settle_heap()
                yield
            else:
                async with extra_lifespan(app):
                    settle_heap()
                    yield
        finally:
            if documents is not None:
                await app.state.documents.close()
            await app.state.database.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version=API_VERSION,  # one version for the three documents
        lifespan=lifespan,
        openapi_tags=[*openapi_tags, {"name": "health", "description": "Liveness and readiness"}],
    )
    # Few layers, each pure ASGI: every request pays for each. Outside in: the edge (request
    # id, trace context, security headers, CORS, gzip, metrics, access log), Starlette's 500,
    # conditional GET, the request limits, stored public documents (kit/stored_reads.py),
    # Starlette's exception handlers, the routes.
    if documents is not None:  # innermost: a stored public document needs no route
        app.add_middleware(StoredReadsMiddleware)
    install_request_limits(app, settings, routers, body_limits or {})
    # ETag, 304 and HEAD for every GET, outside the limits (a HEAD is routed as its GET).
    app.add_middleware(ConditionalGetMiddleware)
    install_problem_handlers(app)
    install_database_fault_handlers(app)
    if tracing:  # OpenTelemetry's own layer, inside the edge (so it sees the edge's trace)
        instrument_app(app, title)
    install_edge_middleware(app, settings.hsts_max_age_seconds, edge, continue_into_otel=tracing)
    app.include_router(health_router())
    app.include_router(metrics_router())
    for router in routers:
        app.include_router(router)
    app.state.service_routers = list(routers)  # what the OpenAPI tests check (testing_openapi)
    _register_problem_schema(app, auth_settings, routers)
    return app


def settle_heap() -> None:
    """Once started, move everything alive into the collector's permanent generation. The
    app's own objects (routes, models, metadata) never die, yet every full collection walked
    all of them: under load one in a hundred requests waited about 150 ms for it."""
    gc.collect()
    gc.freeze()


def _register_problem_schema(
    app: FastAPI, auth_settings: AuthSettings, routers: Sequence[APIRouter]
) -> None:
    """Routes reference #/components/schemas/Problem; make sure the schema is there. Public
    reads are declared callable without a token (kit/auth.py)."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        defs = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in defs.pop("$defs", {}).items():
            components.setdefault(name, sub)
        components["Problem"] = defs
        document_public_reads(schema, routers, not auth_settings.require_read_scope)
        document_required_headers(schema, routers)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented hook for a customised schema
