"""Configuration of the budget service, from BUDGET_* environment variables, and the names of
its own alembic history and version table."""

from pydantic_settings import SettingsConfigDict

from municipal_shared.kit.settings import ServiceSettings


class BudgetSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BUDGET_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///var/budget.db"
    port: int = 8001


SCRIPT_LOCATION = "budget_service:migrations"
VERSION_TABLE = "alembic_version_budget"
