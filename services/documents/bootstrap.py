"""Documents' composition root: the one place its parts are wired together."""

from saphan_runtime.service import Service, ServiceParts
from services.documents import api, background, db, projections
from services.documents.handlers import Custody, handlers
from services.documents.settings import Settings
from services.documents.storage import BlobStore, LocalFolder, S3Bucket
from services.documents.worker import SUBSCRIPTIONS


def bootstrap(settings: Settings | None = None) -> Service:
    """Build the documents service (nothing connects until it starts)."""
    settings = settings or Settings()
    keyring, store = settings.keyring(), blob_store(settings)
    custody = Custody(keyring=keyring, store=store, max_bytes=settings.max_upload_bytes)
    service = Service(ServiceParts(
        settings=settings, metadata=db.metadata, migrations="services.documents:migrations",
        handlers=handlers(custody), project=projections.project, subscriptions=SUBSCRIPTIONS, routers=[api.router],
        keyring=keyring, on_start=[background.sweep_orphans(store, settings.orphan_grace_seconds)],
        title="Saphan documents / เอกสาร", description="Custody of case documents.",
    ))
    service.app.state.custody = custody
    return service


def blob_store(settings: Settings) -> BlobStore:
    """The bucket when one is named, else the folder."""
    if not settings.s3_bucket:
        return LocalFolder(settings.storage_root())
    secret = settings.s3_secret_access_key
    return S3Bucket.connect(settings.s3_bucket, endpoint=settings.s3_endpoint, region=settings.s3_region,
                            prefix=settings.s3_prefix, access_key_id=settings.s3_access_key_id,
                            secret_access_key=secret.get_secret_value() if secret else None)
