from pydantic_settings import SettingsConfigDict

from municipal_shared.kit.settings import ServiceSettings


class IndicatorSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INDICATORS_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///var/indicators.db"
    port: int = 8002


SCRIPT_LOCATION = "indicator_service:migrations"
VERSION_TABLE = "alembic_version_indicators"
