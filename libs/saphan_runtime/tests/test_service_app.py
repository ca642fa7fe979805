"""A service's app, started: what it made to start is put out of the garbage collector's sight."""

import gc

from saphan_runtime.testing import running


async def test_a_started_service_freezes_what_it_made_to_start(make_service) -> None:
    gc.unfreeze()  # (the process is shared with other tests' services)
    assert gc.get_freeze_count() == 0
    async with running(make_service("referral")):
        frozen = gc.get_freeze_count()
    assert frozen > 100_000  # its modules, schemas and routes, at least
