"""OpenTelemetry: off unless the standard OTEL_* variables ask for it, and then its SDK, exporters
and instrumentations are not imported (FastAPI itself imports the API, a no-op without a
provider, for telemetry of its own); on, the request's spans carry the trace id the edge logs
(the caller's, or the edge's new one). Each case runs in a fresh interpreter: instrumentation
is process-wide."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from municipal_shared.kit.tracing import otel_requested

APP = """
import asyncio, sys
import httpx
from fastapi import APIRouter
from municipal_shared.kit.app import create_service_app
from municipal_shared.kit.settings import AuthSettings, ServiceSettings
from municipal_shared.kit.tracing import current_traceparent

router = APIRouter()

@router.get("/things/{thing_id}", operation_id="getThing")
async def get_thing(thing_id: int) -> dict[str, object]:
    return {"traceparent": current_traceparent()}

def make_app():
    return create_service_app(
        title="Traced", description="kit test", settings=ServiceSettings(),
        auth_settings=AuthSettings(), script_location="unused:migrations",
        version_table="unused", routers=[router], openapi_tags=[],
    )

async def get(app, headers):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit.test") as c:
        response = await c.get("/things/1", headers=headers)
        assert response.status_code == 200, response.text
        return response.json()["traceparent"]
"""


def _run(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    return subprocess.run(
        [sys.executable, "-c", APP + textwrap.dedent(script)],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_variables_that_switch_it_on() -> None:
    assert not otel_requested({})
    assert otel_requested({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    assert otel_requested({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"})
    assert otel_requested({"OTEL_TRACES_EXPORTER": "console"})
    assert not otel_requested({"OTEL_TRACES_EXPORTER": "none"})
    endpoint = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}
    assert not otel_requested({**endpoint, "OTEL_SDK_DISABLED": "true"})


def test_off_by_default_the_sdk_is_not_even_imported() -> None:
    done = _run(
        """
        app = make_app()
        asyncio.run(get(app, {}))
        heavy = ("opentelemetry.sdk", "opentelemetry.instrumentation", "opentelemetry.exporter")
        loaded = sorted(m for m in sys.modules if m.startswith(heavy))
        assert not loaded, loaded
        if "opentelemetry.trace" in sys.modules:  # FastAPI's own import: still no provider
            from opentelemetry import trace
            assert type(trace.get_tracer_provider()).__name__ == "ProxyTracerProvider"
        print("not imported")
        """
    )
    assert done.returncode == 0, done.stderr
    assert "not imported" in done.stdout


def test_on_the_spans_share_the_trace_id_of_the_logs() -> None:
    done = _run(
        """
        from fastapi import FastAPI
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        from municipal_shared.kit import tracing

        exporter = InMemorySpanExporter()
        tracing.instrument_app(FastAPI(), "Traced", exporter=exporter)  # the provider, in memory
        app = make_app()
        caller = "4bf92f3577b34da6a3ce929d0e0e4736"
        continued = asyncio.run(get(app, {"traceparent": f"00-{caller}-00f067aa0ba902b7-01"}))
        started = asyncio.run(get(app, {}))
        spans = exporter.get_finished_spans()
        traces = {format(span.context.trace_id, "032x") for span in spans}
        assert continued.split("-")[1] == caller, continued
        assert traces == {caller, started.split("-")[1]}, (traces, started)
        servers = [s for s in spans if s.kind.name == "SERVER"]
        assert len(servers) == 2 and all(s.resource.attributes["service.name"] for s in servers)
        print("traced", len(spans))
        """,
        OTEL_TRACES_EXPORTER="console",
    )
    assert done.returncode == 0, done.stderr
    assert "traced" in done.stdout
