"""Configuration of the indicator service, from INDICATORS_* environment variables: its
database, its port, and where and how it reads its peers for the composed report."""

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from municipal_shared.kit.peer_tokens import PeerClientSettings
from municipal_shared.kit.settings import ServiceSettings


class IndicatorSettings(ServiceSettings, PeerClientSettings):
    model_config = SettingsConfigDict(env_prefix="INDICATORS_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///var/indicators.db"
    port: int = 8002
    budget_url: str = "http://127.0.0.1:8001"
    """The budget service, read for the composed tertial report."""
    procurement_url: str = "http://127.0.0.1:8003"
    """The procurement service, read for the composed tertial report."""
    peer_timeout_seconds: float = 5.0
    peer_token: SecretStr | None = None
    """Bearer token for reading the peers when they require a read scope. In production,
    client credentials (AUTH_TOKEN_URL, INDICATORS_CLIENT_ID and _SECRET) take precedence."""
    client_scope: str = "budget:read procurement:read"
    """What the token for the composed report's peer reads must allow."""


SCRIPT_LOCATION = "indicator_service:migrations"
VERSION_TABLE = "alembic_version_indicators"
