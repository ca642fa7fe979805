"""Each service's migrations build exactly the tables its code declares, on every backend."""

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from saphan_runtime import db, migrations

SERVICES = ["intake", "referral", "documents", "audit"]


@pytest.mark.parametrize("service", SERVICES)
async def test_migrated_schema_matches_the_declared_tables(service: str, database) -> None:
    url = database(service)
    await migrations.upgrade_async(url, f"services.{service}:migrations")
    await migrations.upgrade_async(url, f"services.{service}:migrations")  # a second run changes nothing
    metadata = importlib.import_module(f"services.{service}.db").metadata
    engine = db.create_engine(url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
            )
    finally:
        await engine.dispose()
    assert differences == []
