"""Documents' start-up work: remove what a crash in the middle of an upload left in the content store."""

import logging
from collections.abc import Awaitable, Callable

from saphan_runtime.errors import Unavailable
from saphan_runtime.service import Service
from services.documents import projections
from services.documents.storage import BlobStore

log = logging.getLogger(__name__)


def sweep_orphans(store: BlobStore, grace_seconds: float) -> Callable[[Service], Awaitable[None]]:
    """Return the start-up hook that removes unfinished writes, and stored content no event names once it is
    `grace_seconds` old (younger content may belong to an upload another replica is committing right now)."""

    async def sweep(service: Service) -> None:
        try:
            unfinished = await store.remove_unfinished()
            async with service.read_sessions() as session:
                named = await projections.blob_names(session)
            orphans = [name for name in await store.names(older_than=grace_seconds) if name not in named]
            for name in orphans:
                await store.delete(name)
        except Unavailable as away:  # the next start sweeps; uploads answer 503 meanwhile
            log.warning("documents: the start-up sweep was skipped: %s", away)
            return
        if unfinished or orphans:
            log.warning("documents: removed %d unfinished and %d unrecorded blobs", unfinished, len(orphans))

    return sweep
