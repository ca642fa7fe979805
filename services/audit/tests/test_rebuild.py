"""Rebuild: the ledger rebuilt from Kafka alone into an empty database has the original's leaves, root and signed
checkpoints, and every entry matches the event it records on its own topic."""

import json

import pytest

from contracts.topics import AUDIT_LEDGER
from saphan_runtime import db
from saphan_runtime.kafka import read_from_beginning
from saphan_runtime.settings import BrokerSettings
from saphan_runtime.testing import eventually, running
from services.audit import checkpoints, projections
from services.audit.rebuild import rebuild_ledger
from services.audit.tests.test_ledger import auditor_client, fill
from services.audit.verify import verify_ledger


async def test_the_ledger_rebuilt_from_kafka_has_the_original_root_and_checkpoints(
    make_service, broker, database, caller
) -> None:
    service = make_service("audit", checkpoint_seconds=3600)
    async with running(service) as url, auditor_client(url, caller) as client:
        await fill(service, broker, [f"c{n}" for n in range(7)])
        first = (await client.post("/checkpoints")).json()
        await fill(service, broker, [f"d{n}" for n in range(6)])
        second = (await client.post("/checkpoints")).json()
        key = (await client.get("/ledger/public-key")).json()["public_key"]
        await eventually(lambda: mirrored(service.settings.broker, 13), within=60)

        async with service.read_sessions() as session:
            original = await projections.case_timeline(session, "d5")
        target = database("audit-rebuilt")
        rebuilt = await rebuild_ledger(target, service.settings.broker, key)
        with pytest.raises(SystemExit):  # never over an existing ledger
            await rebuild_ledger(target, service.settings.broker, key)
        not_ours = checkpoints.Signer(checkpoints.load_key("A" * 43 + "=")).public_key
        other = await rebuild_ledger(database("audit-rebuilt-other-key"), service.settings.broker, not_ours)

    assert rebuilt.intact, rebuilt.problems
    assert (rebuilt.size, rebuilt.root_hash) == (second["tree_size"], second["root_hash"])
    assert (rebuilt.checkpoints, rebuilt.checkpoints_matching) == (2, 2) and first["tree_size"] == 7
    assert (rebuilt.sources_checked, rebuilt.sources_missing) == (13, 0)
    assert (await verify_ledger(target, key)).intact
    assert await rebuilt_timeline(target, "d5") == [(e["sequence"], e["event_id"]) for e in original]
    assert not other.intact and "not signed by key" in other.problems[0]


async def rebuilt_timeline(url: str, case_id: str) -> list[tuple[int, str]]:
    engine = db.create_engine(url)
    try:
        async with db.create_sessionmaker(engine)() as session:
            return [(e["sequence"], e["event_id"]) for e in await projections.case_timeline(session, case_id)]
    finally:
        await engine.dispose()


async def mirrored(broker: BrokerSettings, count: int) -> bool:
    """Return whether the relay has published `count` distinct ledger entries on the ledger topic."""
    sequences = {json.loads(r.value)["data"]["sequence"]
                 async for r in read_from_beginning(broker, broker.topic(AUDIT_LEDGER))}
    return len(sequences) >= count
