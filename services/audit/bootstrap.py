"""Audit's composition root: the one place its parts are wired together."""

from contracts.topics import PUBLISHED_TOPICS
from saphan_runtime.service import Service, ServiceParts
from services.audit import api, api_proofs, api_trail, background, checkpoints, db, metrics, projections
from services.audit.handlers import handlers
from services.audit.settings import Settings
from services.audit.worker import SUBSCRIPTIONS


def signer_for(settings: Settings) -> checkpoints.Signer:
    """Return the checkpoint signer: the configured key, or the development key under var/."""
    if settings.signing_key:
        return checkpoints.Signer(checkpoints.load_key(settings.signing_key))
    return checkpoints.Signer(checkpoints.development_key(settings.var_dir / "audit-signing.key"))


def bootstrap(settings: Settings | None = None) -> Service:
    """Build the audit service (nothing connects until it starts)."""
    settings = settings or Settings()
    signer = signer_for(settings)
    return Service(ServiceParts(
        settings=settings, metadata=db.metadata, migrations="services.audit:migrations",
        handlers=handlers(signer=signer), project=projections.project, subscriptions=SUBSCRIPTIONS,
        topics=PUBLISHED_TOPICS,
        routers=[api.router, api_proofs.proofs_router(signer.public_key), api_trail.trail_router(signer.public_key)],
        tickers=[background.checkpoint_every(settings.checkpoint_seconds)],
        gauges=[metrics.ledger_size],
        title="Saphan audit / ตรวจสอบ",
        description="The tamper-evident ledger of every case event: timelines, signed checkpoints, RFC 6962 proofs.",
    ))
