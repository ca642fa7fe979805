"""Intake's composition root: the one place its parts are wired together."""

from saphan_runtime.service import Service, ServiceParts
from services.intake import api, db, projections
from services.intake.handlers import HANDLERS
from services.intake.settings import Settings
from services.intake.worker import SUBSCRIPTIONS


def bootstrap(settings: Settings | None = None) -> Service:
    """Build the intake service (nothing connects until it starts)."""
    return Service(ServiceParts(
        settings=settings or Settings(), metadata=db.metadata, migrations="services.intake:migrations",
        handlers=HANDLERS, project=projections.project, subscriptions=SUBSCRIPTIONS, routers=[api.router],
        title="Saphan intake / รับแจ้งเหตุ", description="Takes reports and opens cases.",
    ))
