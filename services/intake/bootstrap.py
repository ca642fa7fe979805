"""Intake's composition root: the one place its parts are wired together."""

from datetime import timedelta

from saphan_runtime.background import Ticker
from saphan_runtime.service import Service, ServiceParts
from services.intake import api, api_geography, background, db, projections
from services.intake.handlers import handlers
from services.intake.settings import Settings
from services.intake.worker import SUBSCRIPTIONS


def bootstrap(settings: Settings | None = None) -> Service:
    """Build the intake service (nothing connects until it starts)."""
    settings = settings or Settings()
    keyring = settings.keyring()
    return Service(ServiceParts(
        settings=settings, metadata=db.metadata, migrations="services.intake:migrations",
        handlers=handlers(keyring), project=projections.project, subscriptions=SUBSCRIPTIONS,
        routers=[api.router, api_geography.router],
        keyring=keyring, tickers=_tickers(settings),
        title="Saphan intake / รับแจ้งเหตุ", description="Takes reports and opens cases.",
    ))


def _tickers(settings: Settings) -> list[Ticker]:
    if settings.retention_days is None:
        return []
    return [background.retention_watch(settings.retention_check_seconds, timedelta(days=settings.retention_days))]
