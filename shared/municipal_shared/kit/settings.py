"""Settings from the environment (pydantic-settings). Each service subclasses ServiceSettings
with its own prefix; authentication is shared by all services under AUTH_."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "development-only-secret-change-me-0123456789"  # noqa: S105


class AuthSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

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

    @model_validator(mode="after")
    def _production_needs_key_set(self) -> AuthSettings:
        if self.mode == "production" and not self.jwks_url:
            raise ValueError("AUTH_JWKS_URL is required when AUTH_MODE=production")
        return self


class ServiceSettings(BaseSettings):
    """Common to every service; a subclass sets env_prefix (BUDGET_, INDICATORS_, ...)."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str = "sqlite+aiosqlite:///var/service.db"
    log_level: str = "INFO"
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = Field(default=1_048_576, ge=1)
    """Largest request body in bytes, larger is a 413 (kit/limits.py); an operation that
    legitimately takes more (an OCDS package) has its own, larger limit."""
    max_json_depth: int = Field(default=64, ge=2, le=256)
    """Deepest nesting of a JSON body (objects and arrays); deeper is a 422 before any code
    that recurses sees it."""
