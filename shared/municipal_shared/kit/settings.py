"""Settings from the environment (pydantic-settings). Each service subclasses ServiceSettings
with its own prefix; authentication is shared by all services under AUTH_."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic.types import NonNegativeInt, PositiveFloat, PositiveInt
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEVELOPMENT_SECRET = "development-only-secret-change-me-0123456789"  # noqa: S105


class AuthSettings(BaseSettings):
    # A refused setting must not print the others' values (AUTH_DEV_SECRET) in the error.
    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore", hide_input_in_errors=True)

    mode: Literal["development", "production"] = "development"
    """development: HS256 tokens signed with dev_secret (`make token`); production: tokens from
    the municipality's identity provider, verified against its key set at jwks_url."""
    dev_secret: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    issuer: str = "municipal-steering-dev"
    audience: str = "municipal-steering"
    jwks_url: str | None = None
    algorithms: list[str] = ["RS256", "ES256"]
    require_read_scope: bool = False
    """Budget documents are public in Sweden, so reads are open unless this is set."""
    token_url: str | None = None
    """The identity provider's token endpoint: in production, a service with a client id and
    secret obtains its peer tokens there (OAuth2 client credentials, kit/peer_tokens.py)."""

    @model_validator(mode="after")
    def _production_needs_key_set(self) -> AuthSettings:
        if self.mode == "production" and not self.jwks_url:
            raise ValueError("AUTH_JWKS_URL is required when AUTH_MODE=production")
        return self

    @model_validator(mode="after")
    def _production_refuses_the_built_in_secret(self) -> AuthSettings:
        # Production never verifies with it, but a deployment that sets it to the published
        # value carries a development configuration (and its minted tokens) into production.
        if (
            self.mode == "production"
            and "dev_secret" in self.model_fields_set
            and self.uses_built_in_secret
        ):
            raise ValueError(
                "AUTH_DEV_SECRET is the built-in development secret, refused when "
                "AUTH_MODE=production; unset it or set a long random value"
            )
        return self

    @property
    def uses_built_in_secret(self) -> bool:
        """The published development secret: anyone can sign tokens with it."""
        return self.dev_secret.get_secret_value() == DEVELOPMENT_SECRET

    @model_validator(mode="after")
    def _token_url_over_tls(self) -> AuthSettings:
        """The client secret is sent there: TLS, as RFC 6749 §3.2 requires, except on a
        loopback address (a provider on the same host, or in tests)."""
        if not self.token_url:
            return self
        parts = urlsplit(self.token_url)
        host = parts.hostname or ""
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not host or not (parts.scheme == "https" or (parts.scheme == "http" and loopback)):
            raise ValueError("AUTH_TOKEN_URL must be an https URL (plain http only on loopback)")
        return self


class ServiceSettings(BaseSettings):
    """Common to every service; a subclass sets env_prefix (BUDGET_, INDICATORS_, ...)."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str = "sqlite+aiosqlite:///var/service.db"
    log_level: str = "INFO"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=1, le=64)
    """Processes `serve` runs (uvicorn's supervisor); every worker reads the same database, so
    nothing a worker keeps in memory can go stale (see kit/documents.py)."""
    db_connect_timeout_seconds: PositiveFloat = 5.0
    """How long opening a database connection may take (PostgreSQL); a database that does not
    answer is a 503 with Retry-After instead of a request hanging. Also bounds closing the
    connection pool at shutdown."""
    db_statement_timeout_seconds: PositiveFloat = 15.0
    """Longest a statement may run or wait for a lock: PostgreSQL's statement_timeout (the
    client gives up a connect timeout later, for a server that stopped answering at all);
    on SQLite the wait for the write lock. Migrations and seeding are not bounded by it."""
    readiness_timeout_seconds: PositiveFloat = 1.5
    """/readyz answers 503 when the database check takes longer, so a probe with a 2 s
    timeout always gets an answer."""
    shutdown_grace_seconds: PositiveInt = 5
    """After SIGTERM, in-flight requests get this long to finish (uvicorn's graceful
    shutdown); stopping background work then gets at most this long again."""
    hsts_max_age_seconds: NonNegativeInt = 0
    """Strict-Transport-Security max-age on every response; 0 (the default) sends none, as TLS
    ends at the proxy in front. Set it only when every client reaches the service over HTTPS."""
    max_body_bytes: int = Field(default=1_048_576, ge=1)
    """Largest request body in bytes, larger is a 413 (kit/limits.py); an operation that
    legitimately takes more (an OCDS package) has its own, larger limit."""
    max_json_depth: int = Field(default=64, ge=2, le=256)
    """Deepest nesting of a JSON body (objects and arrays); deeper is a 422 before any code
    that recurses sees it."""


def _comma_separated(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class EdgeSettings(BaseSettings):
    """What every service does at its edge the same way, set once for the whole deployment
    (no service prefix): log format, browser origins, response compression, /metrics."""

    model_config = SettingsConfigDict(extra="ignore", hide_input_in_errors=True)

    log_format: Literal["text", "json"] = "text"
    """text: readable lines for a developer; json: one JSON object per line for a collector."""
    cors_allow_origins: Annotated[list[str], NoDecode] = []
    """Browser origins allowed to call the API (CORS), comma-separated, e.g.
    `https://steering.linkoping.se`. None by default: a browser on another origin is refused."""
    gzip_min_bytes: NonNegativeInt = 1024
    """Responses at least this large are gzip-compressed for a client that accepts it; 0 never."""
    metrics_token: SecretStr | None = None
    """When set, /metrics needs `Authorization: Bearer <it>` (Prometheus `authorization`).
    Unset, /metrics is open in development mode and refused in production mode."""

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # `METRICS_TOKEN=` (compose passing an unset variable on) must not be a usable token.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("metrics_token")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("METRICS_TOKEN must be at least 16 characters (a random value)")
        return value

    @field_validator("cors_allow_origins", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return _comma_separated(value)

    @field_validator("cors_allow_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            parts = urlsplit(origin)
            if origin == "*" or parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(
                    f"CORS_ALLOW_ORIGINS: {origin!r} is not an origin like https://host"
                )
            if parts.path or parts.query or parts.fragment:
                raise ValueError(f"CORS_ALLOW_ORIGINS: {origin!r} has more than scheme://host:port")
        return [origin.lower() for origin in origins]
