"""End to end, as a user would: `saphan up`, 50 reports over HTTP, and every case's trail in the audit ledger."""

import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import jsonschema
import pytest

from contracts.topics import AUDIT_EVENTS, AUDIT_LEDGER, DOCUMENTS_EVENTS, INTAKE_EVENTS, REFERRAL_EVENTS
from saphan_runtime.schemas import ENVELOPE_FILE, load_schema
from saphan_runtime.testing import BrokerUnderTest, eventually, read_topic
from services.audit.verify import verify_ledger
from tests.helpers import UsualCallers, report
from tests.system import System, saphan_up

pytestmark = pytest.mark.system

REPORTS = 50
REPORT_RECEIVED = "saphan.intake.report-received.v1"
CASE_REPORTED = "saphan.intake.case-reported.v1"
CASE_TRIAGED = "saphan.intake.case-triaged.v1"
ROUTING_DECIDED = "saphan.referral.routing-decided.v1"
REFERRAL_REQUESTED = "saphan.referral.referral-requested.v1"
TRAIL = [REPORT_RECEIVED, CASE_REPORTED, CASE_TRIAGED, ROUTING_DECIDED]
REGISTRY_UNITS = 234  # the units of services/referral/agencies.json, each recorded once on the referral topic


def referrals_for(n: int) -> int:
    """Return how many referrals report n gets: a child (even n) goes to 3 units, an adult to 2."""
    return 3 if n % 2 == 0 else 2


async def post_reports(client: httpx.AsyncClient, intake: str, count: int, start: int = 0) -> dict[str, int]:
    """POST reports one after another and return their case ids, each with its report number."""
    ids = {}
    for n in range(start, start + count):
        response = await client.post(f"{intake}/cases", json=report(n))
        assert response.status_code == 201, response.text
        assert response.headers["location"] == f"/cases/{response.json()['case_id']}"
        ids[response.json()["case_id"]] = n
    return ids


async def timelines(client: httpx.AsyncClient, audit: str, case_ids: dict[str, int]) -> dict[str, list[dict]] | None:
    """Return every case's audit timeline once each holds its whole trail, else None."""
    found = {}
    for case_id, n in case_ids.items():
        response = await client.get(f"{audit}/cases/{case_id}/timeline", params={"include_reads": "false"})
        if response.status_code != 200 or len(response.json()["events"]) < len(TRAIL) + referrals_for(n):
            return None
        found[case_id] = response.json()["events"]
    return found


async def trails_in_ledger(
    system: System, client: httpx.AsyncClient, case_ids: dict[str, int], *, within: float
) -> dict[str, list[dict]]:
    """Wait for every case's whole trail in the audit ledger; past `within`, fail saying which cases lack what and
    what the system printed last (a stall in CI is explained by its own report)."""
    try:
        return await eventually(lambda: timelines(client, system.urls["audit"], case_ids), within=within)
    except TimeoutError:
        lacking = []
        for case_id, n in case_ids.items():
            response = await client.get(f"{system.urls['audit']}/cases/{case_id}/timeline",
                                        params={"include_reads": "false"})
            found = [e["type"] for e in response.json()["events"]] if response.status_code == 200 else []
            if len(found) < len(TRAIL) + referrals_for(n):
                # Whether referral has the case tells a loss before referral from one between referral and audit.
                routing = await client.get(f"{system.urls['referral']}/cases/{case_id}/routing")
                lacking.append(f"{case_id} (report {n}): audit {response.status_code} {found}; "
                               f"referral's routing {routing.status_code}")
        printed = "".join(system.output[-80:])
        raise AssertionError(f"{len(lacking)} of {len(case_ids)} cases lack events after {within}s:\n"
                             + "\n".join(lacking[:10]) + f"\n--- saphan up printed last:\n{printed}"
                             + _complaints(system.var_dir / "logs")) from None


def _complaints(logs: Path, last: int = 8) -> str:
    """Return the last warnings and errors each service logged (the logs go with the test's temporary directory)."""
    found = []
    for log in sorted(logs.glob("*.log")):
        lines = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
                 if " WARNING " in line or " ERROR " in line]
        found += [f"--- {log.name}, last warnings and errors:", *(line[:300] for line in lines[-last:])]
    return "\n" + "\n".join(found)


def assert_trail_exactly_once_in_order(trail: dict[str, list[dict]], case_ids: dict[str, int]) -> None:
    """Each case: its report, its triage, then its routing and referrals caused by the triage; nothing twice."""
    for case_id, events in trail.items():
        expected = TRAIL + [REFERRAL_REQUESTED] * referrals_for(case_ids[case_id])
        assert [e["type"] for e in events] == expected, case_id
        received, reported, triaged, routed, *requested = events
        assert all(e["event"]["causationid"] == triaged["event_id"] for e in [routed, *requested])
        sequences = [e["sequence"] for e in events]
        assert sequences == sorted(sequences)
        assert all(e["event"]["subject"] == case_id for e in events)
    all_ids = [e["event_id"] for events in trail.values() for e in events]
    assert len(all_ids) == len(set(all_ids))


async def test_fifty_reports_reach_the_audit_ledger_once_each_and_in_order(
    tmp_path, system_databases, system_broker
) -> None:
    with saphan_up(tmp_path / "var", system_databases, system_broker) as system:
        async with httpx.AsyncClient(timeout=10, auth=UsualCallers(system.var_dir, system.urls)) as client:
            case_ids = await post_reports(client, system.urls["intake"], REPORTS)
            await trails_in_ledger(system, client, case_ids, within=90)
            await asyncio.sleep(1.0)  # anything delivered twice would show up now
            final = await timelines(client, system.urls["audit"], case_ids)
            assert final is not None
            assert_trail_exactly_once_in_order(final, case_ids)
            child, adult = list(case_ids)[:2]
            routing = (await client.get(f"{system.urls['referral']}/cases/{child}/routing")).json()
            assert routing["lead_unit"] == "shelter-10"
            routing = (await client.get(f"{system.urls['referral']}/cases/{adult}/routing")).json()
            assert routing["lead_unit"] == "msdhs-10"
            files = await client.get(f"{system.urls['documents']}/cases/{child}/documents")
            assert files.status_code == 200
            signed = await client.post(f"{system.urls['audit']}/checkpoints")
            key = (await client.get(f"{system.urls['audit']}/ledger/public-key")).json()["public_key"]
            assert signed.status_code == 201
        audit_db = system_databases.get("audit") or f"sqlite+aiosqlite:///{tmp_path / 'var' / 'audit.db'}"
        verified = await verify_ledger(audit_db, key)
        assert verified.intact and verified.entries >= signed.json()["tree_size"] and verified.checkpoints >= 1
        published_entries = await read_topic(system.broker, AUDIT_LEDGER, at_least=verified.entries)
        rebuilt = rebuild_from_kafka(system.broker, tmp_path / "rebuilt.db", key)
        assert rebuilt.returncode == 0, rebuilt.stderr
        rebuilt_entries = int(re.search(r"(\d+) entries rebuilt", rebuilt.stdout).group(1))  # type: ignore[union-attr]
        assert rebuilt_entries >= verified.entries and "the rebuilt ledger matches" in rebuilt.stdout
        referral_events = REGISTRY_UNITS + sum(1 + referrals_for(n) for n in case_ids.values())
        expected = {INTAKE_EVENTS: 3 * REPORTS, REFERRAL_EVENTS: referral_events, DOCUMENTS_EVENTS: 0}
        published = {topic: await read_topic(system.broker, topic, at_least=count) for topic, count in expected.items()}
        published[AUDIT_EVENTS] = await read_topic(system.broker, AUDIT_EVENTS, at_least=0)
    assert {topic: len(published[topic]) for topic in expected} == expected
    assert {json.loads(r.value)["type"] for r in published[AUDIT_EVENTS]} == {"saphan.audit.checkpoint-signed.v1"}
    assert_every_message_matches_its_contract([r for records in published.values() for r in records])
    assert_every_message_matches_its_contract(published_entries)


def rebuild_from_kafka(broker: BrokerUnderTest, path: Path, key: str) -> subprocess.CompletedProcess[str]:
    """Run `saphan audit rebuild` as an operator would, into an empty SQLite file."""
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers, "KAFKA_TOPIC_PREFIX": broker.topic_prefix}
    command = [str(Path(sys.executable).with_name("saphan")), "audit", "rebuild",
               "--database-url", f"sqlite+aiosqlite:///{path}", "--public-key", key]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


def assert_every_message_matches_its_contract(records: list) -> None:
    """Every published message validates against the envelope schema and its type's JSON Schema."""
    import json

    envelope_schema = load_schema(ENVELOPE_FILE.removesuffix(".json"))
    for record in records:
        event = json.loads(record.value)
        jsonschema.validate(event, envelope_schema)
        jsonschema.validate(event["data"], load_schema(event["type"]))
        assert record.key.decode() == event["subject"]
        assert dict(record.headers)["content-type"].startswith(b"application/cloudevents+json")
