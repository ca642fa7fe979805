from saphan_runtime.migrations import run_env
from services.audit.db import metadata

run_env(metadata)
