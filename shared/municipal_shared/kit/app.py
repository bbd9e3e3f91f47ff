"""One way to build a service app: lifespan-owned resources, request ids, problem+json,
health, auth. Services pass their routers and settings; nothing is created at import."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI

from municipal_shared.kit.auth import TokenVerifier
from municipal_shared.kit.conditional import ConditionalGetMiddleware
from municipal_shared.kit.database import Database
from municipal_shared.kit.database_faults import install_database_fault_handlers
from municipal_shared.kit.document_store import DocumentStore
from municipal_shared.kit.documents import DocumentTables, tracking
from municipal_shared.kit.edge import install_edge_middleware
from municipal_shared.kit.health import health_router
from municipal_shared.kit.limits import install_request_limits
from municipal_shared.kit.migrations import alembic_config, head_revision
from municipal_shared.kit.problems import Problem, install_problem_handlers
from municipal_shared.kit.request_id import RequestIdMiddleware
from municipal_shared.kit.safe_defaults import refuse_unsafe_serving
from municipal_shared.kit.settings import AuthSettings, ServiceSettings

Extra = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_service_app(
    *,
    title: str,
    description: str,
    version: str,
    settings: ServiceSettings,
    auth_settings: AuthSettings,
    script_location: str,
    version_table: str,
    routers: Sequence[APIRouter],
    openapi_tags: list[dict[str, Any]],
    extra_lifespan: Extra | None = None,
    body_limits: Mapping[str, int] | None = None,
    documents: DocumentTables | None = None,
) -> FastAPI:
    """`documents`: the service stores rendered documents (kit/documents.py); its sessions
    then count every write, and `app.state.documents` serves them."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        refuse_unsafe_serving(settings, auth_settings)
        app.state.settings = settings
        app.state.auth_settings = auth_settings
        app.state.token_verifier = TokenVerifier(auth_settings)
        app.state.database = Database(
            settings.database_url,
            connect_timeout=settings.db_connect_timeout_seconds,
            statement_timeout=settings.db_statement_timeout_seconds,
            session_factory=tracking(documents),
        )
        if documents is not None:
            app.state.documents = DocumentStore(app.state.database, documents)
        app.state.version_table = version_table
        app.state.head_revision = head_revision(
            alembic_config(script_location, settings.database_url, version_table)
        )
        try:
            if extra_lifespan is None:
                yield
            else:
                async with extra_lifespan(app):
                    yield
        finally:
            if documents is not None:
                await app.state.documents.close()
            await app.state.database.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        openapi_tags=[*openapi_tags, {"name": "health", "description": "Liveness and readiness"}],
    )
    # Inside the request id middleware, so a 413 or 422 it answers carries the id.
    install_request_limits(app, settings, routers, body_limits or {})
    # ETag, 304 and HEAD for every GET, outside the limits (a HEAD is routed as its GET).
    app.add_middleware(ConditionalGetMiddleware)
    app.add_middleware(RequestIdMiddleware)
    install_problem_handlers(app)
    install_database_fault_handlers(app)
    install_edge_middleware(app, settings.hsts_max_age_seconds)
    app.include_router(health_router())
    for router in routers:
        app.include_router(router)
    _register_problem_schema(app)
    return app


def _register_problem_schema(app: FastAPI) -> None:
    """Routes reference #/components/schemas/Problem; make sure the schema is there."""
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
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented hook for a customised schema
