from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from municipal_shared.kit.settings import ServiceSettings


class ProcurementSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROCUREMENT_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///var/procurement.db"
    port: int = 8003
    personal_data_key: SecretStr = SecretStr("development-only-personal-data-key")
    """Key of the hash that replaces a sole trader's personal identity number. Set a long
    random value in production and keep it: changing it splits every sole trader in two."""


SCRIPT_LOCATION = "procurement_service:migrations"
VERSION_TABLE = "alembic_version_procurement"
