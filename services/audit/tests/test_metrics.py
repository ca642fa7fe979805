"""Audit's /metrics on a real database and broker: the ledger's size, and how much of it the newest checkpoint signs."""

from saphan_runtime.testing import running, sample_value, scrape
from services.audit.tests.test_ledger import auditor_client, fill


async def ledger_figures(url: str) -> tuple[float | None, float | None]:
    """Return (entries in the ledger, entries the newest checkpoint covers)."""
    samples = await scrape(url)
    return (sample_value(samples, "saphan_audit_ledger_entries", service="audit"),
            sample_value(samples, "saphan_audit_checkpoint_entries", service="audit"))


async def test_the_ledger_size_and_the_signed_size_follow_the_entries_and_checkpoints(
    make_service, broker, caller
) -> None:
    service = make_service("audit", checkpoint_seconds=3600)
    async with running(service) as url, auditor_client(url, caller) as client:
        empty = await ledger_figures(url)
        await fill(service, broker, [f"c{n}" for n in range(3)])
        unsigned = await ledger_figures(url)
        signed = await client.post("/checkpoints")
        after_signing = await ledger_figures(url)
        await fill(service, broker, ["d0", "d1"])
        grown = await ledger_figures(url)
    assert signed.status_code == 201
    assert (empty, unsigned, after_signing, grown) == ((0, 0), (3, 0), (3, 3), (5, 3))
