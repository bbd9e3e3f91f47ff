from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from municipal_shared.kit.peer_tokens import PeerClientSettings
from municipal_shared.kit.settings import ServiceSettings
from procurement_service.attribution import LINKOPING, Buyer


class ProcurementSettings(ServiceSettings, PeerClientSettings):
    model_config = SettingsConfigDict(env_prefix="PROCUREMENT_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///var/procurement.db"
    port: int = 8003
    personal_data_key: SecretStr = SecretStr("development-only-personal-data-key")
    """Key of the hash that replaces a sole trader's personal identity number. Set a long
    random value in production and keep it: changing it splits every sole trader in two."""

    indicators_url: str = "http://127.0.0.1:8002"
    """Where the figures are delivered (the indicator service)."""
    indicators_token: SecretStr | None = None
    """Bearer token for the indicator service; in development mode one is minted locally.
    In production, client credentials (AUTH_TOKEN_URL, PROCUREMENT_CLIENT_ID and _SECRET)
    take precedence: their tokens are renewed before they expire."""
    client_scope: str = "indicators:write"
    """What the relay's token must allow: writing outcomes into the indicator register."""
    register_board_code: str = "KS"
    """The register that receives the municipality's procurement figures."""
    buyers: dict[str, Buyer] = Field(default_factory=lambda: {"0580": LINKOPING})
    """The municipalities received for, by code: organisation numbers, boards, the default
    board and buying administrations' boards (JSON; see attribution.py)."""
    relay_interval_seconds: float = 1.0
    relay_timeout_seconds: float = 5.0
    relay_enabled: bool = True


SCRIPT_LOCATION = "procurement_service:migrations"
VERSION_TABLE = "alembic_version_procurement"
