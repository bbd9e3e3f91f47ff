from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from municipal_shared.kit.peer_tokens import PeerClientSettings
from municipal_shared.kit.settings import ServiceSettings
from procurement_service.rules.attribution import LINKOPING, Buyer

DEVELOPMENT_PERSONAL_DATA_KEY = "development-only-personal-data-key"


class ProcurementSettings(ServiceSettings, PeerClientSettings):
    model_config = SettingsConfigDict(env_prefix="PROCUREMENT_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///var/procurement.db"
    port: int = 8003
    personal_data_key: SecretStr = SecretStr(DEVELOPMENT_PERSONAL_DATA_KEY)
    """Key of the pseudonyms that replace a sole trader's personal identity number
    (rules/personal_data.py). Production refuses to start without a long random value of its own;
    to change it, run `python -m procurement_service.rekey` (README, "Security")."""
    personal_data_previous_key: SecretStr | None = None
    """The key being replaced, read only by the re-keying command."""

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
    board and buying administrations' boards (JSON; see rules/attribution.py)."""
    relay_interval_seconds: float = 1.0
    relay_timeout_seconds: float = 5.0
    relay_enabled: bool = True
    max_package_bytes: int = Field(default=10 * 1_048_576, ge=1)
    """Body limit of an OCDS package and of a bulk PUT, which legitimately exceed the
    default MAX_BODY_BYTES (a thousand releases or outcomes with their parties)."""
    max_releases: int = Field(default=1000, ge=1)
    """Most releases one OCDS package may hold (in `releases`, or across its records);
    counted before anything else, so a huge package never reaches the database."""
    ocid_prefix: str = Field(default="ocds-local", pattern=r"^ocds-[A-Za-z0-9]{1,20}$")
    """Start of the ocids the service gives native outcomes when it publishes them in OCDS
    (`{prefix}-{municipality}-{reference}`): set the prefix the Open Contracting Partnership
    registered for the municipality; the default marks them as not registered."""
    publisher_names: dict[str, str] = Field(default_factory=lambda: {"0580": "Linköpings kommun"})
    """The publisher's name in the OCDS packages, by municipality code (JSON)."""
    ocds_license: str | None = None
    """URL of the licence of the published OCDS data, when the municipality has chosen one."""


MIN_KEY_LENGTH = 32


def refuse_without_personal_data_key(settings: ProcurementSettings, mode: str) -> None:
    """Production must have a key of its own: with the published development key anyone could
    pseudonymise every personal identity number and read who a sole trader is."""
    key = settings.personal_data_key.get_secret_value()
    if mode == "production" and (key == DEVELOPMENT_PERSONAL_DATA_KEY or len(key) < MIN_KEY_LENGTH):
        raise ValueError(
            "PROCUREMENT_PERSONAL_DATA_KEY must be set to a random value of at least "
            f"{MIN_KEY_LENGTH} characters in production (it is the development key or too short)"
        )


SCRIPT_LOCATION = "procurement_service:migrations"
VERSION_TABLE = "alembic_version_procurement"
