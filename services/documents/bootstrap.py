"""Documents' composition root: the one place its parts are wired together."""

from saphan_runtime.service import Service, ServiceParts
from services.documents import api, db, projections
from services.documents.handlers import HANDLERS
from services.documents.settings import Settings
from services.documents.worker import SUBSCRIPTIONS


def bootstrap(settings: Settings | None = None) -> Service:
    """Build the documents service (nothing connects until it starts)."""
    return Service(ServiceParts(
        settings=settings or Settings(), metadata=db.metadata, migrations="services.documents:migrations",
        handlers=HANDLERS, project=projections.project, subscriptions=SUBSCRIPTIONS, routers=[api.router],
        title="Saphan documents / เอกสาร", description="Custody of case documents.",
    ))
