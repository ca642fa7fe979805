from saphan_runtime.migrations import run_env
from services.intake.db import metadata

run_env(metadata)
