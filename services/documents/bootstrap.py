"""Documents' composition root: the one place its parts are wired together."""

from saphan_runtime.service import Service, ServiceParts
from services.documents import api, background, db, projections
from services.documents.handlers import Custody, handlers
from services.documents.settings import Settings
from services.documents.storage import LocalFolder
from services.documents.worker import SUBSCRIPTIONS


def bootstrap(settings: Settings | None = None) -> Service:
    """Build the documents service (nothing connects until it starts)."""
    settings = settings or Settings()
    keyring, store = settings.keyring(), LocalFolder(settings.storage_root())
    custody = Custody(keyring=keyring, store=store, max_bytes=settings.max_upload_bytes)
    service = Service(ServiceParts(
        settings=settings, metadata=db.metadata, migrations="services.documents:migrations",
        handlers=handlers(custody), project=projections.project, subscriptions=SUBSCRIPTIONS, routers=[api.router],
        keyring=keyring, on_start=[background.sweep_orphans(store, settings.orphan_grace_seconds)],
        title="Saphan documents / เอกสาร", description="Custody of case documents.",
    ))
    service.app.state.custody = custody
    return service
