"""deploy/observability: Prometheus scrapes every declared service (services.toml) where the
compose stack runs it, Grafana's dashboard asks only for series the running services export,
and the compose addition is valid together with docker-compose.yml."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from declared_services import SERVICES  # deploy/declared_services.py, on the path from conftest.py

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "deploy" / "observability"
DASHBOARD = HERE / "grafana" / "dashboards" / "municipal-steering.json"
REFERENCE = Path(
    os.environ.get("COMPOSE_REFERENCE_DIR", ROOT.parent / "shared" / "reference" / "compose")
)


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Compose's merge of a second file: mappings merged key by key, the rest replaced."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def test_prometheus_scrapes_every_declared_service() -> None:
    jobs = {job["job_name"]: job for job in _yaml(HERE / "prometheus.yml")["scrape_configs"]}
    assert set(jobs) == {s.name for s in SERVICES}
    for service in SERVICES:
        targets = [t for group in jobs[service.name]["static_configs"] for t in group["targets"]]
        assert targets == [f"{service.name}:{service.port}"]


def test_the_compose_addition_is_valid_and_observes_every_service() -> None:
    extra = _yaml(HERE / "compose.yml")
    stack = _merged(_yaml(ROOT / "docker-compose.yml"), extra)
    for service in SERVICES:
        environment = stack["services"][service.name]["environment"]
        assert environment["LOG_FORMAT"] == "json"
        assert environment["METRICS_TOKEN"].startswith("${")  # never written down
        assert environment[f"{service.env_prefix}_PORT"] == str(service.port)  # kept
    assert extra["services"]["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"].startswith(
        "${"
    )
    for name in ("prometheus", "grafana"):
        assert all(p.startswith("127.0.0.1:") for p in extra["services"][name]["ports"])
        for volume in extra["services"][name]["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("./"):  # relative to the first file: the repository root
                assert (ROOT / source).exists(), source
    schema_file = REFERENCE / "compose-spec.json"
    if not schema_file.exists():
        pytest.skip(f"compose specification not found at {schema_file}")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(stack)


def test_grafana_provisions_the_dashboard_on_its_prometheus() -> None:
    provisioning = HERE / "grafana" / "provisioning"
    source = _yaml(provisioning / "datasources" / "prometheus.yml")["datasources"][0]
    assert source["type"] == "prometheus" and source["url"] == "http://prometheus:9090"
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == source["uid"]
        assert all(t["datasource"]["uid"] == source["uid"] for t in panel["targets"])
    folder = _yaml(provisioning / "dashboards" / "dashboards.yml")["providers"][0]["options"]
    compose = _yaml(HERE / "compose.yml")["services"]["grafana"]["volumes"]
    assert any(v.endswith(f":{folder['path']}:ro") for v in compose)


def test_every_dashboard_series_is_exported_by_the_running_services(
    urls: dict[str, str],
) -> None:
    exported: set[str] = set()
    for service in SERVICES:
        response = httpx.get(urls[service.name] + "/metrics", timeout=10)
        assert response.status_code == 200, (service.name, response.text[:200])
        for family in text_string_to_metric_families(response.text):
            suffixes = {
                "counter": ["_total"],
                "histogram": ["_bucket", "_count", "_sum"],
            }.get(family.type, [""])
            exported.update(family.name + suffix for suffix in suffixes)
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    asked = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"([a-z_:][a-z0-9_:]*)\s*[{\[]", target["expr"])
    }
    assert asked and asked <= exported, sorted(asked - exported)
    assert {"http_requests_total", "outbox_messages", "db_pool_connections_in_use"} <= asked
