"""Alembic, run by each service at start-up on its own database (in a worker thread)."""

import asyncio
from collections.abc import Callable

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection

from saphan_runtime.db import create_engine, event_store_tables

MIGRATION_LOCK_KEY = 0x5A9_0001


def upgrade(url: str, script_location: str) -> None:
    """Bring a service's database to the newest revision."""
    config = Config()
    config.set_main_option("script_location", script_location)
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "head")


async def upgrade_async(url: str, script_location: str) -> None:
    """Run `upgrade` without blocking the event loop."""
    await asyncio.to_thread(upgrade, url, script_location)


def run_env(target_metadata: MetaData) -> None:
    """Body of every service's alembic env.py: migrate online over the async engine."""
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise SystemExit("alembic needs sqlalchemy.url")
    asyncio.run(_run_online(url, target_metadata))


async def _run_online(url: str, target_metadata: MetaData) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_migrate, target_metadata)
            await connection.commit()
    finally:
        await engine.dispose()


def _migrate(connection: Connection, target_metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Two replicas starting together must not both create the tables.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        context.run_migrations()


def _create(bind: Connection, define: Callable[[MetaData], object]) -> None:
    """Create the tables `define` adds to an empty metadata."""
    metadata = MetaData()
    define(metadata)
    metadata.create_all(bind)


def create_event_store_v1(bind: Connection) -> None:
    """Create the shared event-store tables as they stood at revision 1 of every service."""
    _create(bind, event_store_tables)


def create_case_parties_v1(bind: Connection) -> None:
    """Create the `case_parties` view (who is party to each case) as it stood at its first revision."""
    from saphan_runtime.parties import case_parties_table

    _create(bind, case_parties_table)


def create_case_keys_v1(bind: Connection) -> None:
    """Create the `case_keys` table (each case's wrapped personal-data key) as it stood at its first revision."""
    from saphan_runtime.sealing import case_keys_table

    _create(bind, case_keys_table)
