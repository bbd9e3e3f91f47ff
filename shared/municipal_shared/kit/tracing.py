"""W3C trace context (`traceparent`) on every request, and OpenTelemetry export when asked.

Every request has a trace: the caller's trace id when it sent a valid `traceparent`, else a
new one. The edge (kit/edge.py) keeps this service's `traceparent` (the trace id and a span id
of its own) in a context variable; the peer client and the outbox relay send it on, and every
log line carries the trace id, so one trace id follows a request through every service's log
even when nothing exports spans.

OpenTelemetry is switched on by its standard variables (`OTEL_EXPORTER_OTLP_ENDPOINT`,
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_TRACES_EXPORTER`; `OTEL_SDK_DISABLED=true` keeps it
off), and its SDK and instrumentations are imported only then: off, they cost nothing (FastAPI
imports the API itself, a no-op without a provider). On, FastAPI, httpx and SQLAlchemy are
instrumented and spans go to the OTLP endpoint (HTTP/protobuf) or, with
`OTEL_TRACES_EXPORTER=console`, to standard output.
"""

from __future__ import annotations

import contextvars
import hashlib
import os
import random
import re
from collections.abc import Mapping
from typing import Any

HEADER = "traceparent"
_VALID = re.compile(rb"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})(-.*)?$")
_ZERO_TRACE = b"0" * 32
_traceparent: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "traceparent", default=None
)


def current_traceparent() -> str | None:
    """This service's traceparent for the request being served (None outside a request)."""
    return _traceparent.get()


def current_trace_id() -> str | None:
    value = _traceparent.get()
    return value[3:35] if value is not None else None


def set_traceparent(value: str | None) -> contextvars.Token[str | None]:
    return _traceparent.set(value)


def reset_traceparent(token: contextvars.Token[str | None]) -> None:
    _traceparent.reset(token)


def continue_trace(incoming: bytes | None) -> tuple[str, bool]:
    """This hop's traceparent: the caller's trace id and flags when `incoming` is valid
    (version ff and an all-zero trace id are not), else a new sampled trace; always a new
    span id. The flag says whether the caller's trace was continued."""
    # Ids to tell traces apart, not secrets: the fast generator (reseeded in a forked worker).
    span_id = f"{random.getrandbits(64) or 1:016x}"
    if incoming is not None:
        match = _VALID.match(incoming)
        if match is not None and match[1] != _ZERO_TRACE and not incoming.startswith(b"ff"):
            return f"00-{match[1].decode()}-{span_id}-{match[2].decode()}", True
    return f"00-{random.getrandbits(128) or 1:032x}-{span_id}-01", False


def traceparent_for(key: str) -> str:
    """A traceparent whose trace id is fixed by `key` (an outbox message's idempotency key):
    every attempt to deliver one message shares one trace id, each with its own span id."""
    trace_id = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
    return f"00-{trace_id}-{random.getrandbits(64) or 1:016x}-01"


def otel_requested(environ: Mapping[str, str] = os.environ) -> bool:
    """True when the standard OTEL_* variables ask for trace export."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter == "none":
        return False
    return bool(
        exporter
        or environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


_provider_installed = False


def instrument_app(app: Any, service_name: str, exporter: Any = None) -> None:
    """Spans for every request of `app` and every httpx call in the process, exported in the
    background (a batch processor: a request never waits on the collector). `exporter`
    replaces the one the variables name (tests pass an in-memory one). Imports OpenTelemetry;
    call it only when `otel_requested()`."""
    global _provider_installed
    from opentelemetry import trace
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        ConsoleSpanExporter,
        SimpleSpanProcessor,
    )

    if not _provider_installed:  # one provider per process, set before any span is made
        name = os.environ.get("OTEL_SERVICE_NAME") or service_name
        provider = TracerProvider(resource=Resource.create({"service.name": name}))
        if exporter is not None:
            provider.add_span_processor(SimpleSpanProcessor(exporter))
        elif os.environ.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "console":
            provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
        else:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
        HTTPXClientInstrumentor().instrument()
        _provider_installed = True
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")


def instrument_engine(engine: Any) -> None:
    """Spans for the statements of one SQLAlchemy engine (its sync core under asyncio)."""
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine)
