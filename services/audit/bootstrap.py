"""Audit's composition root: the one place its parts are wired together."""

from saphan_runtime.service import Service, ServiceParts
from services.audit import api, db, projections
from services.audit.handlers import HANDLERS
from services.audit.settings import Settings
from services.audit.worker import SUBSCRIPTIONS


def bootstrap(settings: Settings | None = None) -> Service:
    """Build the audit service (nothing connects until it starts)."""
    return Service(ServiceParts(
        settings=settings or Settings(), metadata=db.metadata, migrations="services.audit:migrations",
        handlers=HANDLERS, project=projections.project, subscriptions=SUBSCRIPTIONS, routers=[api.router],
        title="Saphan audit / ตรวจสอบ", description="The ledger of every case event, and case timelines.",
    ))
