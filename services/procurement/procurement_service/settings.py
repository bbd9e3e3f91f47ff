from pydantic_settings import SettingsConfigDict

from municipal_shared.kit.settings import ServiceSettings


class ProcurementSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROCUREMENT_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///var/procurement.db"
    port: int = 8003


SCRIPT_LOCATION = "procurement_service:migrations"
VERSION_TABLE = "alembic_version_procurement"
