"""The compose file validates against the compose specification and wires the services the
way they run: one database each, migrate before serve, health-gated start, no secrets."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import all_versions, latest_version

from declared_services import SERVICES  # deploy/declared_services.py, on the path from conftest.py
from municipal_shared.kit.safe_defaults import UnsafeConfiguration, refuse_unsafe_serving
from municipal_shared.kit.settings import AuthSettings

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = Path(
    os.environ.get("COMPOSE_REFERENCE_DIR", ROOT.parent / "shared" / "reference" / "compose")
)
NAMES = [s.name for s in SERVICES]
SETTINGS: dict[str, Any] = {
    **{f"{s.env_prefix}_": s.load("settings") for s in SERVICES},
    "AUTH_": AuthSettings,
}


def test_the_declared_services_are_the_workspace_and_their_defaults() -> None:
    """services.toml names every service package of the workspace, once, with the port and
    settings prefix its settings class really has."""
    members = {p.parent.name for p in ROOT.glob("services/*/pyproject.toml")}
    assert len(SERVICES) == len(members)
    for declared in SERVICES:
        assert (ROOT / "services" / declared.name / declared.package / "__main__.py").exists()
        settings = declared.load("settings")
        assert settings.model_fields["port"].default == declared.port, declared.name
        assert settings.model_config["env_prefix"] == f"{declared.env_prefix}_", declared.name
        for peer in declared.peers:
            assert declared.peer_variable(peer).removeprefix(f"{declared.env_prefix}_").lower() in (
                settings.model_fields
            ), (declared.name, peer)
        assert callable(declared.load("app"))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.mark.must_run
def test_compose_file_is_valid_per_the_specification(compose: dict[str, Any]) -> None:
    schema_file = REFERENCE / "compose-spec.json"
    if not schema_file.exists():
        pytest.skip(f"compose specification not found at {schema_file}")
    validator = jsonschema.Draft7Validator(json.loads(schema_file.read_text(encoding="utf-8")))
    validator.validate(compose)
    misspelt = {
        **compose,
        "services": {
            **compose["services"],
            NAMES[0]: {**compose["services"][NAMES[0]], "heathcheck": {}},
        },
    }
    assert not validator.is_valid(misspelt)  # the check is live


def test_services_start_healthy_in_order(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", *NAMES}  # exactly the services of services.toml
    for declared in SERVICES:
        service = services[declared.name]
        assert "readyz" in " ".join(service["healthcheck"]["test"]), declared.name
        assert service["depends_on"]["postgres"] == {"condition": "service_healthy"}
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert service["build"]["args"]["MODULE"] == declared.package
        assert service["ports"] == [f"127.0.0.1:{declared.port}:{declared.port}"]
        environment = service["environment"]
        assert environment[f"{declared.env_prefix}_PORT"] == str(declared.port)
        for peer in declared.peers:  # a peer it calls is reached by name, and started first
            url = environment[declared.peer_variable(peer)]
            assert url == f"http://{peer}:{services[peer]['environment'][f'{peer.upper()}_PORT']}"
    # The relay delivers into the register: the register is up before the relay starts.
    assert services["procurement"]["depends_on"]["indicators"] == {"condition": "service_healthy"}


def test_every_variable_names_a_setting_and_no_secret_is_written_down(
    compose: dict[str, Any],
) -> None:
    for name in NAMES:
        for variable, value in compose["services"][name]["environment"].items():
            prefix = next((p for p in SETTINGS if variable.startswith(p)), None)
            if prefix is None:
                assert variable == "PORT_TO_CHECK", variable
                continue
            field = variable.removeprefix(prefix).lower()
            assert field in SETTINGS[prefix].model_fields, f"{variable} is not a setting"
            if re.search(r"SECRET|PASSWORD|KEY|TOKEN", variable):
                assert str(value).startswith("${"), f"{variable} is written in the file"
        urls = [
            v for k, v in compose["services"][name]["environment"].items() if "DATABASE_URL" in k
        ]
        assert urls and all("${POSTGRES_PASSWORD}" in u and u.endswith(f"/{name}") for u in urls)
    assert compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${")


def test_images_are_the_public_ones_unless_replaced_and_crashes_restart(
    compose: dict[str, Any],
) -> None:
    """Users get postgres:16 and python:3.11-slim; a machine without a registry names its own
    stand-ins (deploy/local-images); a crashed container comes back by the restart policy."""
    services = compose["services"]
    assert services["postgres"]["image"] == "${POSTGRES_IMAGE:-postgres:16}"
    assert "-h 127.0.0.1" in services["postgres"]["healthcheck"]["test"][1]  # not the socket
    for name, service in services.items():
        assert service["restart"] == "unless-stopped", name
        if name != "postgres":
            assert service["build"]["args"]["PYTHON_IMAGE"] == "${PYTHON_IMAGE:-python:3.11-slim}"
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in dockerfile
    assert dockerfile.count("FROM ${PYTHON_IMAGE}") == 2
    stand_in = (ROOT / "deploy" / "local-images" / "postgres.Dockerfile").read_text("utf-8")
    assert "STOPSIGNAL SIGINT" in stand_in and "/docker-entrypoint-initdb.d" in stand_in


def test_one_database_per_service_and_one_dockerfile() -> None:
    sql = (ROOT / "deploy" / "postgres-init" / "01-databases.sql").read_text(encoding="utf-8")
    assert re.findall(r"CREATE DATABASE (\w+);", sql) == NAMES
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    # The dependency layer is built from every workspace member's pyproject.toml.
    copied = re.findall(r"COPY services/(\w+)/pyproject.toml", dockerfile)
    assert sorted(copied) == sorted(p.parent.name for p in ROOT.glob("services/*/pyproject.toml"))
    assert "uv sync --frozen --no-dev" in dockerfile and "USER 10001" in dockerfile
    assert "migrate &&" in dockerfile


def _manifests() -> list[dict[str, Any]]:
    folder = ROOT / "deploy" / "kubernetes"
    return [
        doc
        for path in sorted(folder.glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if doc
    ]


def test_kubernetes_manifests_parse_and_name_real_settings() -> None:
    documents = _manifests()
    kinds = [(d["kind"], d["metadata"]["name"]) for d in documents]
    assert sorted(p.stem for p in (ROOT / "deploy" / "kubernetes").glob("*.yaml")) == sorted(
        [*NAMES, "config"]
    )
    for name in NAMES:
        for kind in ("Job", "Deployment", "Service", "HorizontalPodAutoscaler"):
            wanted = f"{name}-migrate" if kind == "Job" else name
            assert (kind, wanted) in kinds, (kind, wanted)
    config = next(d for d in documents if d["kind"] == "ConfigMap")
    for declared in SERVICES:  # each peer is reached through its Service, on its port
        for peer in declared.peers:
            port = next(s.port for s in SERVICES if s.name == peer)
            assert config["data"][declared.peer_variable(peer)] == f"http://{peer}:{port}"
    for variable in config["data"]:
        prefix = next(p for p in SETTINGS if variable.startswith(p))
        assert variable.removeprefix(prefix).lower() in SETTINGS[prefix].model_fields, variable
    for deployment in (d for d in documents if d["kind"] == "Deployment"):
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        port = container["ports"][0]["containerPort"]
        assert container["readinessProbe"]["httpGet"]["port"] == port


def _kubernetes_versions() -> list[str]:
    """The oldest and the newest Kubernetes whose schemas the validator ships."""
    shipped = sorted(set(all_versions()), key=lambda v: tuple(int(p) for p in v.split(".")))
    return [shipped[0], latest_version()]


@pytest.mark.parametrize("version", _kubernetes_versions())
def test_kubernetes_manifests_are_valid_per_the_kubernetes_schemas(version: str) -> None:
    """Each manifest against the API's own schemas (kubernetes-validate ships them), strict:
    an unknown field, such as a misspelt probe, is an error and not silently ignored."""
    documents = _manifests()
    for document in documents:
        kubernetes_validate.validate(document, version, strict=True)
    deployment = next(d for d in documents if d["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    misspelt = {k: v for k, v in container.items() if k != "readinessProbe"}
    misspelt["readinessprobe"] = container["readinessProbe"]
    broken = {
        **deployment,
        "spec": {
            **deployment["spec"],
            "template": {
                **deployment["spec"]["template"],
                "spec": {**deployment["spec"]["template"]["spec"], "containers": [misspelt]},
            },
        },
    }
    with pytest.raises(kubernetes_validate.ValidationError, match="readinessprobe"):
        kubernetes_validate.validate(broken, version, strict=True)  # the check is live


def test_published_ports_bind_loopback_and_development_needs_its_own_secret(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Development mode lets whoever knows AUTH_DEV_SECRET sign tokens: the stack is reachable
    from this machine only, and the secret must be given (no default, never the built-in)."""
    # The suite run against a stack has the stack's secret in its environment: without it.
    monkeypatch.delenv("AUTH_DEV_SECRET", raising=False)
    for declared in SERVICES:
        name = declared.name
        service = compose["services"][name]
        assert service["ports"] and all(p.startswith("127.0.0.1:") for p in service["ports"])
        secret = service["environment"]["AUTH_DEV_SECRET"]
        assert secret.startswith("${AUTH_DEV_SECRET:?"), secret  # required, no default
        host = service["environment"][f"{declared.env_prefix}_HOST"]
        settings = SETTINGS[f"{declared.env_prefix}_"](host=host)
        with pytest.raises(UnsafeConfiguration, match="AUTH_DEV_SECRET"):
            refuse_unsafe_serving(settings, AuthSettings(mode="development"))
    assert "ports" not in compose["services"]["postgres"]


def _seconds(duration: str) -> float:
    match = re.fullmatch(r"(\d+)s", duration)
    assert match, duration
    return float(match.group(1))


def test_the_stop_timeouts_outlast_a_bounded_shutdown(compose: dict[str, Any]) -> None:
    """After SIGTERM: in-flight requests get the grace period, the relay at most as long again,
    closing the pool the connect timeout; the orchestrator must not kill the process first."""
    defaults = SERVICES[0].load("settings")()
    shutdown = 2 * defaults.shutdown_grace_seconds + defaults.db_connect_timeout_seconds
    for name in NAMES:
        assert _seconds(compose["services"][name]["stop_grace_period"]) > shutdown, name
    for deployment in (d for d in _manifests() if d["kind"] == "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        assert pod.get("terminationGracePeriodSeconds", 30) > shutdown
        probe = pod["containers"][0]["readinessProbe"]
        # /readyz answers within its own timeout, so the probe never times out first
        assert probe["timeoutSeconds"] > defaults.readiness_timeout_seconds
