"""The built-in development secret is published: it is refused in production and off a
loopback address; `serve` says why and stops, and serves with a bounded graceful shutdown."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from municipal_shared.kit import cli
from municipal_shared.kit.safe_defaults import (
    UnsafeConfiguration,
    is_loopback,
    refuse_unsafe_serving,
)
from municipal_shared.kit.settings import DEVELOPMENT_SECRET, AuthSettings, ServiceSettings

JWKS = "https://login.example-kommun.se/jwks.json"


class ExampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EXAMPLE_", extra="ignore")


@pytest.fixture(autouse=True)
def no_auth_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AUTH_MODE", "AUTH_DEV_SECRET", "AUTH_JWKS_URL", "EXAMPLE_HOST"):
        monkeypatch.delenv(name, raising=False)


def test_production_refuses_the_built_in_secret_by_name() -> None:
    with pytest.raises(ValidationError, match="AUTH_DEV_SECRET"):
        AuthSettings(mode="production", jwks_url=JWKS, dev_secret=DEVELOPMENT_SECRET)
    # Production never signs with it, so leaving it unset, or set to another value, is fine.
    AuthSettings(mode="production", jwks_url=JWKS)
    AuthSettings(mode="production", jwks_url=JWKS, dev_secret="x" * 40)


def test_production_refuses_it_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_MODE", "production")
    monkeypatch.setenv("AUTH_JWKS_URL", JWKS)
    monkeypatch.setenv("AUTH_DEV_SECRET", DEVELOPMENT_SECRET)
    with pytest.raises(ValidationError, match="AUTH_DEV_SECRET"):
        AuthSettings()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.53", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),  # noqa: S104
        ("::", False),
        ("10.0.0.5", False),
        ("budget.internal", False),
    ],
)
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_development_with_the_built_in_secret_serves_only_on_loopback() -> None:
    development = AuthSettings(mode="development")
    refuse_unsafe_serving(ExampleSettings(host="127.0.0.1"), development)
    with pytest.raises(UnsafeConfiguration, match=r"AUTH_DEV_SECRET.*EXAMPLE_HOST=0\.0\.0\.0"):
        refuse_unsafe_serving(ExampleSettings(host="0.0.0.0"), development)  # noqa: S104
    own_secret = AuthSettings(mode="development", dev_secret="a-long-random-value-" * 3)
    refuse_unsafe_serving(ExampleSettings(host="0.0.0.0"), own_secret)  # noqa: S104
    production = AuthSettings(mode="production", jwks_url=JWKS)
    refuse_unsafe_serving(ExampleSettings(host="0.0.0.0"), production)  # noqa: S104


def _serve(settings: ServiceSettings) -> int:
    return cli.run(
        "example",
        settings,
        script_location="unused:migrations",
        version_table="unused",
        app_factory="unused.main:create_app",
        argv=["serve"],
    )


def test_serve_refuses_and_names_the_variables(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli.uvicorn, "run", lambda *a, **kw: pytest.fail("served"))
    with pytest.raises(SystemExit) as stopped:
        _serve(ExampleSettings(host="0.0.0.0"))  # noqa: S104
    assert stopped.value.code == 2
    message = capsys.readouterr().err
    assert "refusing to serve" in message and "AUTH_DEV_SECRET" in message
    assert "EXAMPLE_HOST=0.0.0.0" in message


def test_serve_bounds_the_graceful_shutdown(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(cli.uvicorn, "run", lambda *a, **kw: calls.append(kw))
    assert _serve(ExampleSettings(shutdown_grace_seconds=7)) == 0
    assert calls[0]["timeout_graceful_shutdown"] == 7 and calls[0]["host"] == "127.0.0.1"


def test_timeouts_must_be_positive() -> None:
    for field in (
        "db_connect_timeout_seconds",
        "db_statement_timeout_seconds",
        "readiness_timeout_seconds",
        "shutdown_grace_seconds",
    ):
        with pytest.raises(ValidationError, match=field):
            ExampleSettings(**{field: 0})
    with pytest.raises(ValidationError, match="hsts_max_age_seconds"):
        ExampleSettings(hsts_max_age_seconds=-1)
