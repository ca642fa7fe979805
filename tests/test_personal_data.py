"""Personal data on Kafka: after a run through all four services, the raw bytes of every topic hold none of the
personal data that went in; erasing a case destroys its key, so intake can no longer open its sealed report, while
the ledger still verifies and the sealed record keeps its place and its proof."""

import json
from contextlib import AsyncExitStack
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

from contracts.access import CaseDataAccessed, Role
from contracts.intake import ReportReceived
from contracts.topics import PUBLISHED_TOPICS
from saphan_runtime import cloudevents, kafka, sealing
from saphan_runtime.eventstore import decode_data
from saphan_runtime.settings import BrokerSettings
from saphan_runtime.testing import bearer, eventually, running
from services.audit import merkle
from services.audit.verify import verify_ledger
from tests.helpers import UsualCallers, report

SERVICES = ("intake", "referral", "documents", "audit")
NATIONAL_ID = "1103702071811"
CHANGES = {"include_reads": "false"}


def victim(n: int) -> dict[str, Any]:
    """Return a report full of personal data: names, ID numbers, phones, an address, an account of what happened."""
    person = {"name": "นายสมปอง ทุบตี", "relationship_to_client": "step_parent", "national_id": "3100600123450",
              "phone": "086-111-2233"}
    return report(n, client={"name": f"เด็กหญิงแพรวา รักดี{n}", "national_id": NATIONAL_ID, "birth_date": "2016-04-04",
                             "sex": "female", "disability_note": "ใช้เครื่องช่วยฟัง"},
                  informant={"name": "ครูมาลัย ใจงาม", "callback_phone": "081-999-8877",
                             "relationship_to_client": "teacher"},
                  guardians=[{"name": "นางบัวผัน รักดี", "relationship_to_client": "mother", "phone": "02-555-0101"}],
                  alleged_perpetrators=[person],
                  household_members=[{"name": "Somchai Rakdee", "relationship_to_client": "sibling"}],
                  location={"province_code": "10", "district_code": "1001", "subdistrict_code": "100101",
                            "address": "88/12 ซอยสุขใจ แขวงพระบรมมหาราชวัง"},
                  description="ครูสังเกตเห็นรอยช้ำที่แขนของแพรวาทุกวันจันทร์")


SECRETS = ["แพรวา", "รักดี", "Rakdee", "Somchai", NATIONAL_ID, "1-1037-02071-81-1", "3100600123450", "สมปอง",
           "ทุบตี", "086-111-2233", "0861112233", "มาลัย", "081-999-8877", "บัวผัน", "02-555-0101", "ซอยสุขใจ", "88/12",
           "รอยช้ำ", "เครื่องช่วยฟัง", "2016-04-04", "088-1234567"]


def findings(raw: bytes) -> list[str]:
    """Return the secrets found in raw bytes, as UTF-8 or as JSON \\u escapes."""
    escaped = [json.dumps(secret)[1:-1].encode() for secret in SECRETS]
    return [secret for secret, ascii_form in zip(SECRETS, escaped, strict=True)
            if secret.encode() in raw or ascii_form in raw]


async def test_no_personal_data_reaches_kafka_and_erasure_leaves_the_history_and_its_proofs(
    make_service, broker, tmp_path
) -> None:
    services = {name: make_service(name) for name in SERVICES}
    async with AsyncExitStack() as stack:
        urls = {name: await stack.enter_async_context(running(service)) for name, service in services.items()}
        client = await stack.enter_async_context(httpx.AsyncClient(auth=UsualCallers(tmp_path, urls), timeout=10))
        posted = [await client.post(f"{urls['intake']}/cases", json=victim(n)) for n in range(2)]
        assert [p.status_code for p in posted] == [201, 201], posted[0].text
        case_ids = [p.json()["case_id"] for p in posted]
        erased_id, kept_id = case_ids

        shown = (await client.get(f"{urls['intake']}/cases/{erased_id}")).json()
        assert (shown["client_name"], shown["informant_name"], shown["client_address"]) == (
            "เด็กหญิงแพรวา รักดี0", "ครูมาลัย ใจงาม", "88/12 ซอยสุขใจ แขวงพระบรมมหาราชวัง")
        found = await client.get(f"{urls['intake']}/cases", params={"name": "แพรวา รักดี", "national_id": NATIONAL_ID})
        assert found.json()["total"] == 2

        async def shown_everywhere() -> bool:
            status = await client.get(f"{urls['referral']}/cases/{erased_id}/status")
            files = await client.get(f"{urls['documents']}/cases/{erased_id}/documents")
            return status.status_code == files.status_code == 200

        await eventually(shown_everywhere)
        statement = b"%PDF-1.7\n" + "บันทึกถ้อยคำของเด็กหญิงแพรวา รักดี: รอยช้ำที่แขน".encode() + b"\n%%EOF"
        uploaded = await client.post(f"{urls['documents']}/cases/{erased_id}/documents", data={
            "document_type": "statement_record"}, files={"file": ("แพรวา รักดี 088-1234567.pdf", statement)})
        assert uploaded.status_code == 201, uploaded.text
        content = f"{urls['documents']}/cases/{erased_id}/documents/{uploaded.json()['document_id']}/content"
        assert (await client.get(content)).content == statement

        async def sealed_entry() -> dict[str, Any] | None:
            timeline = await client.get(f"{urls['audit']}/cases/{erased_id}/timeline", params=CHANGES)
            events = timeline.json()["events"] if timeline.status_code == 200 else []
            return next((e for e in events if e["type"] == ReportReceived.type_name()), None)

        before = await eventually(sealed_entry)
        signed = (await client.post(f"{urls['audit']}/checkpoints")).json()

        admin = bearer(tmp_path, "saphan-admin", Role.ADMINISTRATOR)
        erasure = {"reason": "court_order", "note": "คำสั่งศาลเยาวชนฯ ที่ 123/2569"}
        erased = await client.post(f"{urls['intake']}/cases/{erased_id}/erasure", json=erasure, headers=admin)
        again = await client.post(f"{urls['intake']}/cases/{erased_id}/erasure", json=erasure, headers=admin)
        by_operator = await client.post(f"{urls['intake']}/cases/{kept_id}/erasure", json=erasure)
        after = (await client.get(f"{urls['intake']}/cases/{erased_id}")).json()
        kept = (await client.get(f"{urls['intake']}/cases/{kept_id}")).json()

        async def erasure_recorded() -> bool:
            timeline = await client.get(f"{urls['audit']}/cases/{erased_id}/timeline", params=CHANGES)
            return any(e["type"] == "saphan.intake.personal-data-erased.v1" for e in timeline.json()["events"])

        await eventually(erasure_recorded)

        async def content_unreadable() -> bool:  # documents destroyed the case's key too
            return (await client.get(content)).status_code == 404

        await eventually(content_unreadable)
        proof = (await client.get(f"{urls['audit']}/proofs/inclusion",
                                  params={"sequence": before["sequence"], "tree_size": signed["tree_size"]})).json()
        key = (await client.get(f"{urls['audit']}/ledger/public-key")).json()["public_key"]
        assert await sealed_entry() == before  # the sealed record is still there, unchanged

    assert erased.status_code == 200 and again.status_code == 409 and by_operator.status_code == 403
    assert after["personal_data_erased_at"] is not None
    assert {field: after[field] for field in ("client_name", "client_national_id", "informant_name",
                                              "informant_phone", "client_address")} == dict.fromkeys(
        ("client_name", "client_national_id", "informant_name", "informant_phone", "client_address"))
    assert after["urgency"] == shown["urgency"] and kept["client_name"] == "เด็กหญิงแพรวา รักดี1"

    leaf = bytes.fromhex(proof["leaf_hash"])
    assert merkle.verify_inclusion(leaf, proof["leaf_index"], proof["tree_size"],
                                   [bytes.fromhex(node) for node in proof["audit_path"]],
                                   bytes.fromhex(signed["root_hash"]))
    verified = await verify_ledger(services["audit"].database_url, key)
    assert verified.intact

    intake = services["intake"]
    keyring = intake.parts.keyring
    assert keyring is not None
    async with intake.sessions() as session:
        payload = await session.scalar(intake.tables["events"].select().with_only_columns(
            intake.tables["events"].c.payload).where(intake.tables["events"].c.type == ReportReceived.type_name(),
                                                     intake.tables["events"].c.case_id == erased_id))
        sealed = decode_data(cloudevents.decode(payload))
        assert isinstance(sealed, ReportReceived)
        assert await keyring.open(session, erased_id, sealed.report) is None  # the key is gone: unreadable
        assert await keyring.existing_key(session, kept_id) is not None

    records = await every_record(intake.settings.broker)
    topics = {intake.settings.broker.logical_topic(r.topic) for r in records}
    assert topics >= {*PUBLISHED_TOPICS}
    raw = b"".join((r.key or b"") + (r.value or b"") + b"".join(v for _, v in r.headers or ()) for r in records)
    assert findings(raw) == []
    events = [json.loads(r.value) for r in records if r.value and r.value.startswith(b"{")]
    access = [e["data"] for e in events if e.get("type") == CaseDataAccessed.type_name()]
    searches = [a["resource"] for a in access if a["resource"].startswith("/cases?")]
    assert searches and all("name=%5Bwithheld%5D" in s and "national_id=%5Bwithheld%5D" in s for s in searches)


async def every_record(settings: BrokerSettings) -> list[Any]:
    """Return every record of every topic of this system on the broker (dead-letter topics included)."""
    lister = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers)
    await lister.start()
    try:
        names = sorted(t for t in await lister.topics() if t.startswith(settings.topic_prefix))
    finally:
        await lister.stop()
    return [record for name in names async for record in kafka.read_from_beginning(settings, name)]


def test_the_secrets_would_be_found_if_they_were_there() -> None:
    plain = cloudevents.canonical_json(victim(0)).encode()
    assert set(findings(plain)) == set(SECRETS) - {"1-1037-02071-81-1", "0861112233", "088-1234567"}
    assert set(findings(json.dumps(victim(0)).encode())) >= {"แพรวา", NATIONAL_ID}
    assert findings(sealing.seal(bytes(32), "c", plain).model_dump_json().encode()) == []
