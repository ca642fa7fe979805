"""The tamper-evident ledger on a real database and broker: signed checkpoints, RFC 6962 proofs that verify,
and verification that names the exact place of a change, a deletion or a swap made directly in the database."""

import json

import httpx
from sqlalchemy import select, update

from contracts.access import Role
from contracts.topics import INTAKE_EVENTS
from saphan_runtime import db
from saphan_runtime.testing import eventually, running
from services.audit import checkpoints, merkle, projections
from services.audit.db import ledger_nodes, metadata
from services.audit.verify import verify_ledger
from tests.helpers import case_reported_event, publish

EVENTS = metadata.tables["events"]


def auditor_client(url: str, caller) -> httpx.AsyncClient:
    """Return a client calling as an auditor, who reads histories through audit."""
    return httpx.AsyncClient(base_url=url, headers=caller("oversight-1", Role.AUDITOR))


async def fill(service, broker, cases: list[str]) -> None:
    """Publish a report of each case and wait until the ledger holds them (read from its store: a read through the
    API would itself be recorded, and the ledger's size would depend on the polling)."""
    for case_id in cases:
        await publish(broker, INTAKE_EVENTS, case_reported_event(case_id), key=case_id.encode())

    async def all_in() -> bool:
        async with service.read_sessions() as session:
            return all([await projections.case_timeline(session, case_id) for case_id in cases])

    await eventually(all_in)


async def test_checkpoints_are_signed_and_proofs_verify_independently(make_service, broker, caller) -> None:
    service = make_service("audit", checkpoint_seconds=3600)
    async with running(service) as url, auditor_client(url, caller) as client:
        await fill(service, broker, [f"c{n}" for n in range(5)])
        first = (await client.post("/checkpoints")).json()
        await fill(service, broker, [f"d{n}" for n in range(6)])
        second = (await client.post("/checkpoints")).json()
        again = await client.post("/checkpoints")
        key = (await client.get("/ledger/public-key")).json()["public_key"]
        inclusion = (await client.get("/proofs/inclusion", params={"sequence": 3, "tree_size": 11})).json()
        consistency = (await client.get("/proofs/consistency", params={"first": 5, "second": 11})).json()
        case_id = json.loads(inclusion["record"])["subject"]
        entry = (await client.get(f"/cases/{case_id}/timeline")).json()["events"][0]
    assert (first["tree_size"], second["tree_size"]) == (5, 11) and again.status_code == 201
    assert checkpoints.verify(key, second["note"], second["signature"])
    assert inclusion["root_hash"] == second["root_hash"]
    leaf = merkle.leaf_hash(inclusion["record"].encode())  # an auditor hashes the entry it was given
    assert leaf.hex() == inclusion["leaf_hash"]
    assert json.loads(inclusion["record"])["data"]["event"] == entry["event"]
    assert merkle.verify_inclusion(
        leaf, 2, 11, [bytes.fromhex(h) for h in inclusion["audit_path"]], bytes.fromhex(second["root_hash"])
    )
    assert merkle.verify_consistency(
        5,
        11,
        bytes.fromhex(first["root_hash"]),
        bytes.fromhex(second["root_hash"]),
        [bytes.fromhex(h) for h in consistency["consistency_path"]],
    )


async def test_verification_names_the_exact_place_of_each_tampering(make_service, broker, caller) -> None:
    service = make_service("audit", checkpoint_seconds=3600)
    url = service.database_url
    async with running(service) as base, auditor_client(base, caller) as client:
        await fill(service, broker, [f"c{n}" for n in range(8)])
        await client.post("/checkpoints")
        key = (await client.get("/ledger/public-key")).json()["public_key"]
    assert (await verify_ledger(url, key)).intact
    engine = db.create_engine(url)
    try:
        payloads = {row.version: row.payload for row in await _rows(engine)}

        async def change(version: int, payload: str) -> None:
            async with engine.begin() as connection:
                await connection.execute(
                    update(EVENTS)
                    .where(EVENTS.c.stream_id == "ledger", EVENTS.c.version == version)
                    .values(payload=payload)
                )

        await change(3, payloads[3].replace('"c', '"x', 1))  # one byte (of the audit's own envelope)
        assert (await verify_ledger(url, key)).first_bad_sequence == 3
        assert '"client_age_years":70' in payloads[3]
        await change(3, payloads[3].replace('"client_age_years":70', '"client_age_years":71'))  # the event itself
        assert (await verify_ledger(url, key)).first_bad_sequence == 3
        await change(3, payloads[3])
        await change(2, payloads[5])  # two rows swapped
        await change(5, payloads[2])
        assert (await verify_ledger(url, key)).first_bad_sequence == 2
        await change(2, payloads[2])
        await change(5, payloads[5])
        assert (await verify_ledger(url, key)).intact
        async with engine.begin() as connection:  # a row deleted
            await connection.execute(EVENTS.delete().where(EVENTS.c.stream_id == "ledger", EVENTS.c.version == 6))
        found = await verify_ledger(url, key)
        assert found.first_bad_sequence == 6 and "missing" in (found.problem or "")
        other_key = checkpoints.Signer(checkpoints.load_key("A" * 43 + "=")).public_key
        assert not (await verify_ledger(url, other_key)).intact
    finally:
        await engine.dispose()


async def test_verification_names_the_entry_whose_stored_subtree_was_changed_or_removed(
    make_service, broker, caller
) -> None:
    service = make_service("audit", checkpoint_seconds=3600)
    url = service.database_url
    async with running(service) as base, auditor_client(base, caller) as client:
        await fill(service, broker, [f"c{n}" for n in range(8)])
        await client.post("/checkpoints")
        key = (await client.get("/ledger/public-key")).json()["public_key"]
    engine = db.create_engine(url)
    try:
        async with engine.begin() as connection:  # the subtree over entries 5-8, completed by entry 8
            await connection.execute(
                update(ledger_nodes).where(ledger_nodes.c.level == 2, ledger_nodes.c.index == 1).values(hash="00" * 32)
            )
        assert (await verify_ledger(url, key)).first_bad_sequence == 8
        async with engine.begin() as connection:  # the subtree over entries 1-2, completed by entry 2
            await connection.execute(ledger_nodes.delete().where(ledger_nodes.c.level == 1, ledger_nodes.c.index == 0))
        found = await verify_ledger(url, key)
        assert found.first_bad_sequence == 2 and "subtree (1, 0)" in (found.problem or "")
    finally:
        await engine.dispose()


async def _rows(engine):
    async with engine.connect() as connection:
        return list(
            await connection.execute(select(EVENTS.c.version, EVENTS.c.payload).where(EVENTS.c.stream_id == "ledger"))
        )
