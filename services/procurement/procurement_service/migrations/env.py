from municipal_shared.kit.migrations import run_env
from procurement_service.models import Base
from procurement_service.settings import VERSION_TABLE

run_env(Base.metadata, VERSION_TABLE)
