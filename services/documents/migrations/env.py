from saphan_runtime.migrations import run_env
from services.documents.db import metadata

run_env(metadata)
