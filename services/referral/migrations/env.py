from saphan_runtime.migrations import run_env
from services.referral.db import metadata

run_env(metadata)
