"""Referral's composition root: the one place its parts are wired together."""

from saphan_runtime.service import Service, ServiceParts
from services.referral import api, db, projections
from services.referral.handlers import handlers
from services.referral.rules import load_rules
from services.referral.settings import Settings
from services.referral.worker import SUBSCRIPTIONS


def bootstrap(settings: Settings | None = None) -> Service:
    """Build the referral service (nothing connects until it starts)."""
    settings = settings or Settings()
    return Service(ServiceParts(
        settings=settings, metadata=db.metadata, migrations="services.referral:migrations",
        handlers=handlers(rules=load_rules(settings.routing_rules_file)), project=projections.project,
        subscriptions=SUBSCRIPTIONS, routers=[api.router],
        title="Saphan referral / ส่งต่อ", description="Routes cases between the four agencies.",
    ))
