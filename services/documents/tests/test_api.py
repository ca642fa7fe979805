"""Custody of case documents over HTTP, on the real storage folder and both databases: uploads sniffed, hashed and
encrypted, versions kept, bad input refused with nothing stored, reads limited to the holding unit, start-up sweeps
what a crash left, and erasure in intake makes the content unreadable."""

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from contracts.access import CaseDataAccessed, Role
from contracts.agencies import AgencyUnit, AgencyUnitRecorded, ServiceArea
from contracts.common import AgencyKind
from contracts.documents import DocumentUploaded
from contracts.intake import ErasureReason, PersonalDataErased
from contracts.topics import INTAKE_EVENTS, REFERRAL_EVENTS
from saphan_runtime import cloudevents
from saphan_runtime.service import Service
from saphan_runtime.testing import eventually, running
from services.documents.bootstrap import bootstrap
from services.documents.tests.support import MARKER, PDF, PNG, case_known, form
from tests.helpers import case_reported_event, publish


async def stored_versions(service: Service) -> int:
    async with service.read_sessions() as session:
        events = service.tables["events"]
        found = await session.scalar(select(func.count()).select_from(events)
                                     .where(events.c.type == DocumentUploaded.type_name()))
    return int(found or 0)


async def recorded_downloads(service: Service) -> list[dict[str, Any]]:
    """Return the access events of downloads, in order (they go to Kafka through the outbox, then to audit)."""
    async with service.read_sessions() as session:
        events = service.tables["events"]
        rows = await session.scalars(select(events.c.payload).where(events.c.type == CaseDataAccessed.type_name())
                                     .order_by(events.c.position))
    found = [json.loads(payload)["data"] for payload in rows]
    return [f for f in found if f["action"] == "documents.document.download"]


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def test_uploads_are_versioned_encrypted_and_read_back_by_the_holding_unit(
    make_service, broker, caller, tmp_path
) -> None:
    documents = make_service("documents", max_upload_bytes=4096)
    holder = caller("hotline-1300", Role.HOTLINE_OPERATOR)
    async with running(documents) as url, httpx.AsyncClient(base_url=url, headers=holder) as client:
        await publish(broker, INTAKE_EVENTS, case_reported_event("case-1"), key=b"case-1")
        await case_known(documents, client, "case-1")
        first = await client.post("/cases/case-1/documents",
                                  **form(PDF, sha256=hashlib.sha256(PDF).hexdigest().upper()))
        document_id = first.json()["document_id"]
        second = await client.post(f"/cases/case-1/documents/{document_id}/versions", **form(PNG, name="scan.png"))
        newest = await client.get(f"/cases/case-1/documents/{document_id}/content")
        oldest = await client.get(f"/cases/case-1/documents/{document_id}/content", params={"version": 1},
                                  headers={"X-Saphan-Purpose": "court%20hearing"})
        downloads = await recorded_downloads(documents)
        listed = (await client.get("/cases/case-1/documents")).json()
        catalogue = (await client.get("/document-types")).json()
    assert first.status_code == 201 and first.json()["version"] == 1, first.text
    assert first.json()["content_type"] == "application/pdf" and first.json()["sha256"] == hashlib.sha256(
        PDF).hexdigest()
    assert second.status_code == 201 and second.json()["version"] == 2 and second.json()["content_type"] == "image/png"
    assert newest.content == PNG and newest.headers["content-type"] == "image/png"
    assert newest.headers["x-document-version"] == "2"
    assert newest.headers["etag"] == f'"{hashlib.sha256(PNG).hexdigest()}"'
    assert oldest.content == PDF and oldest.headers["repr-digest"].startswith("sha-256=:")
    assert [(d["unit_id"], d["resource"], d["purpose"]) for d in downloads] == [
        ("hotline-1300", f"/cases/case-1/documents/{document_id}/content", None),
        ("hotline-1300", f"/cases/case-1/documents/{document_id}/content?version=1", "court hearing")]
    assert listed["document_count"] == 1 and [v["version"] for v in listed["documents"]] == [1, 2]
    assert catalogue["types"]["welfare_protection_petition"]["th"].endswith("(คส.1)")
    stored = files_under(tmp_path / "documents")
    assert len(stored) == 2 and all(MARKER not in p.read_bytes() and b"%PDF" not in p.read_bytes() for p in stored)


async def test_bad_uploads_are_refused_naming_the_field_and_nothing_is_stored(make_service, broker, caller,
                                                                              tmp_path) -> None:
    documents = make_service("documents", max_upload_bytes=1024)
    async with running(documents) as url, httpx.AsyncClient(
            base_url=url, headers=caller("hotline-1300", Role.HOTLINE_OPERATOR)) as client:
        await publish(broker, INTAKE_EVENTS, case_reported_event("case-2"), key=b"case-2")
        await case_known(documents, client, "case-2")
        answers = {
            "empty": await client.post("/cases/case-2/documents", **form(b"")),
            "too large": await client.post("/cases/case-2/documents", **form(PDF + b"x" * 2000)),
            "not accepted": await client.post("/cases/case-2/documents", **form(b"just some text")),
            "unknown type": await client.post("/cases/case-2/documents", **form(PDF, "love_letter")),
            "hash mismatch": await client.post("/cases/case-2/documents", **form(PDF, sha256="0" * 64)),
            "no file": await client.post("/cases/case-2/documents", data={"document_type": "statement_record"}),
            "unknown case": await client.post("/cases/case-404/documents", **form(PDF)),
            "unknown document": await client.post("/cases/case-2/documents/nope/versions", **form(PDF)),
        }
        versions = await stored_versions(documents)
    fields = {name: [e["field"] for e in r.json().get("errors", [])] for name, r in answers.items()}
    assert {name: r.status_code for name, r in answers.items()} == {
        "empty": 422, "too large": 422, "not accepted": 422, "unknown type": 422, "hash mismatch": 422,
        "no file": 422, "unknown case": 404, "unknown document": 201}, fields
    assert fields["empty"] == fields["too large"] == fields["not accepted"] == ["body.file"]
    assert fields["unknown type"] == ["body.document_type"] and fields["hash mismatch"] == ["body.sha256"]
    assert versions == 1  # only the new document (a version of an unknown document starts it)
    assert len(files_under(tmp_path / "documents")) == 1


async def test_another_unit_party_to_the_case_cannot_read_without_a_share(make_service, broker, caller) -> None:
    documents = make_service("documents")
    async with running(documents) as url, httpx.AsyncClient(
            base_url=url, headers=caller("hotline-1300", Role.HOTLINE_OPERATOR)) as client:
        await publish(broker, INTAKE_EVENTS, case_reported_event("case-3"), key=b"case-3")
        await case_known(documents, client, "case-3")
        document_id = (await client.post("/cases/case-3/documents", **form(PDF))).json()["document_id"]
        outsider = await client.get(f"/cases/case-3/documents/{document_id}/content",
                                    headers=caller("shelter-10", Role.SHELTER_SOCIAL_WORKER))
        other_holder = await client.get(f"/cases/case-3/documents/{document_id}/content",
                                        headers=caller("hotline-1300", Role.SUPERVISOR))
    assert outsider.status_code == 403  # not party to the case at all
    assert other_holder.status_code == 200 and other_holder.content == PDF  # the same unit, another role


async def test_start_up_removes_what_a_crash_left_and_keeps_what_is_recorded(make_service, broker, caller,
                                                                             tmp_path) -> None:
    first = make_service("documents")
    async with running(first) as url, httpx.AsyncClient(
            base_url=url, headers=caller("hotline-1300", Role.HOTLINE_OPERATOR)) as client:
        await publish(broker, INTAKE_EVENTS, case_reported_event("case-4"), key=b"case-4")
        await case_known(first, client, "case-4")
        kept = (await client.post("/cases/case-4/documents", **form(PDF))).json()["document_id"]
    root = tmp_path / "documents"
    (root / "case-4" / "crashed").mkdir(parents=True)
    (root / "case-4" / "crashed" / "0123.part").write_bytes(b"half a blob")  # killed while writing
    (root / "case-4" / "crashed" / "4567").write_bytes(b"a whole blob no event names")  # killed before commit
    restarted = bootstrap(first.settings.model_copy(update={"orphan_grace_seconds": 0.0}))
    async with running(restarted) as url, httpx.AsyncClient(
            base_url=url, headers=caller("hotline-1300", Role.HOTLINE_OPERATOR)) as client:
        read = await client.get(f"/cases/case-4/documents/{kept}/content")
    assert read.status_code == 200 and read.content == PDF
    assert [p.relative_to(root).parts[:2] for p in files_under(root)] == [("case-4", kept)]


async def test_erasure_in_intake_destroys_the_documents_key(make_service, broker, caller) -> None:
    documents = make_service("documents")
    async with running(documents) as url, httpx.AsyncClient(
            base_url=url, headers=caller("hotline-1300", Role.HOTLINE_OPERATOR)) as client:
        await publish(broker, INTAKE_EVENTS, case_reported_event("case-5"), key=b"case-5")
        await case_known(documents, client, "case-5")
        document_id = (await client.post("/cases/case-5/documents", **form(PDF))).json()["document_id"]
        erased = PersonalDataErased(case_id="case-5", reason=ErasureReason.RETENTION_ENDED, by_unit="saphan-admin",
                                    erased_at=cloudevents.now())
        envelope = cloudevents.build(data=erased, source="/saphan/intake", subject="case-5", stream_id="case-case-5",
                                     version=5)
        await publish(broker, INTAKE_EVENTS, cloudevents.encode(envelope).encode(), key=b"case-5")

        async def unreadable() -> httpx.Response | None:
            response = await client.get(f"/cases/case-5/documents/{document_id}/content")
            return response if response.status_code == 404 else None

        gone = await eventually(unreadable)
        listed = (await client.get("/cases/case-5/documents")).json()
        too_late = await client.post("/cases/case-5/documents", **form(PDF))
    assert "destroyed" in gone.json()["detail"]
    assert too_late.status_code == 409  # nothing more is stored for an erased case
    assert listed["documents"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()  # the record and its hash stay


async def test_a_unit_holds_only_the_document_types_its_kind_of_agency_holds(make_service, broker, caller) -> None:
    documents = make_service("documents")
    unit = AgencyUnit(unit_id="tambon-100101", kind=AgencyKind.TAMBON_COORDINATION_CENTRE,
                      name_th="ศูนย์ประสานงานทดสอบ", name_en="Test coordination centre",
                      serves=ServiceArea(subdistricts=["100101"]))
    recorded = cloudevents.build(data=AgencyUnitRecorded(unit=unit, recorded_by="test", recorded_at=cloudevents.now()),
                                 source="/saphan/referral", subject=unit.unit_id, stream_id="agency-tambon-100101",
                                 version=1)
    async with running(documents) as url, httpx.AsyncClient(
            base_url=url, headers=caller("tambon-100101", Role.TAMBON_CENTRE_OFFICER)) as client:
        await publish(broker, REFERRAL_EVENTS, cloudevents.encode(recorded).encode(), key=b"tambon-100101")
        await publish(broker, INTAKE_EVENTS, case_reported_event("case-7", reported_by_unit="tambon-100101"),
                      key=b"case-7")
        await case_known(documents, client, "case-7")

        async def kind_known() -> httpx.Response | None:
            refused = await client.post("/cases/case-7/documents", **form(PDF, "medical_certificate"))
            return refused if refused.status_code == 422 else None

        refused = await eventually(kind_known)
        held = await client.post("/cases/case-7/documents", **form(PDF, "home_visit_record"))
    assert refused.json()["errors"][0]["field"] == "body.document_type"
    assert held.status_code == 201
