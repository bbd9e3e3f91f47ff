from indicator_service.models import Base
from indicator_service.settings import VERSION_TABLE
from municipal_shared.kit.migrations import run_env

run_env(Base.metadata, VERSION_TABLE)
