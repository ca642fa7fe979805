"""Sharing a case document: the holding unit shares it on the client's consent (พม.1), while that consent
stands, or on a basis in law; a withdrawn consent refuses later reads."""

import httpx

from contracts.access import Role
from contracts.common import AgencyKind, ReferralRole, Urgency
from contracts.referral import ReferralRequested
from contracts.topics import INTAKE_EVENTS, REFERRAL_EVENTS
from saphan_runtime import cloudevents
from saphan_runtime.testing import eventually, running
from services.documents.tests.support import PDF, PNG, case_known, form
from tests.helpers import case_reported_event, publish


def referred(case_id: str, to_unit: str) -> bytes:
    """Return the referral event that makes a unit party to a case (documents learns relations from it)."""
    at = cloudevents.now()
    data = ReferralRequested(referral_id=f"r-{to_unit}", case_id=case_id, from_unit="hotline-1300", to_unit=to_unit,
                             to_kind=AgencyKind.CHILDREN_FAMILY_SHELTER, role=ReferralRole.SUPPORT,
                             urgency=Urgency.URGENT, receipt_due=at, acceptance_due=at, escalate_to="msdhs-10",
                             requested_at=at)
    envelope = cloudevents.build(data=data, source="/saphan/referral", subject=case_id,
                                 stream_id=f"referral-r-{to_unit}", version=1)
    return cloudevents.encode(envelope).encode()


async def test_sharing_follows_consent_and_the_law(make_service, broker, caller) -> None:
    documents = make_service("documents")
    holder, shelter, prosecutor = (caller("hotline-1300", Role.SOCIAL_WORKER),
                                   caller("shelter-10", Role.SHELTER_SOCIAL_WORKER),
                                   caller("prosecutor-10", Role.PROSECUTOR))
    async with running(documents) as url, httpx.AsyncClient(base_url=url, headers=holder) as client:
        await publish(broker, INTAKE_EVENTS, case_reported_event("case-6"), key=b"case-6")
        for unit in ("shelter-10", "prosecutor-10"):
            await publish(broker, REFERRAL_EVENTS, referred("case-6", unit), key=b"case-6")
        await case_known(documents, client, "case-6")

        async def both_party() -> bool:
            return all([(await client.get("/cases/case-6/documents", headers=h)).status_code == 200
                        for h in (shelter, prosecutor)])

        await eventually(both_party)
        statement = (await client.post("/cases/case-6/documents", **form(PDF))).json()["document_id"]
        content = f"/cases/case-6/documents/{statement}/content"
        not_shared = await client.get(content, headers=shelter)
        without_consent = await client.post(f"/cases/case-6/documents/{statement}/shares",
                                            json={"to_unit": "shelter-10", "basis": "consent"})
        statement_as_form = await client.post("/cases/case-6/consents",
                                              json={"form_document_id": statement, "given_by": "client"})
        form_id = (await client.post("/cases/case-6/documents", **form(PDF, "consent_and_power_of_attorney")
                                     )).json()["document_id"]
        consent = await client.post("/cases/case-6/consents",
                                    json={"form_document_id": form_id, "given_by": "parent_or_guardian"})
        shared = await client.post(f"/cases/case-6/documents/{statement}/shares",
                                   json={"to_unit": "shelter-10", "basis": "consent"})
        by_consent = await client.get(content, headers=shelter)
        no_basis_named = await client.post(f"/cases/case-6/documents/{statement}/shares",
                                           json={"to_unit": "prosecutor-10", "basis": "legal_basis"})
        by_law = await client.post(f"/cases/case-6/documents/{statement}/shares", json={
            "to_unit": "prosecutor-10", "basis": "legal_basis", "legal_basis": "child_protection_act",
            "note": "มาตรา 40"})
        not_the_holder = await client.post(f"/cases/case-6/documents/{statement}/shares", headers=shelter,
                                           json={"to_unit": "prosecutor-10", "basis": "consent"})
        version_after_shares = await client.post(f"/cases/case-6/documents/{statement}/versions", **form(PNG))
        consent_id = consent.json()["consent_id"]
        withdrawn = await client.post(f"/cases/case-6/consents/{consent_id}/withdrawal")
        twice = await client.post(f"/cases/case-6/consents/{consent_id}/withdrawal")
        after_withdrawal = await client.get(content, headers=shelter)
        law_stands = await client.get(content, headers=prosecutor)
        sharing = (await client.get("/cases/case-6/sharing")).json()
    assert not_shared.status_code == 403 and without_consent.status_code == 409
    assert statement_as_form.status_code == 422 and statement_as_form.json()["errors"][0]["field"] == (
        "body.form_document_id")
    assert consent.status_code == 201 and shared.status_code == 201, shared.text
    assert by_consent.status_code == 200 and by_consent.content == PDF
    assert no_basis_named.status_code == 422 and by_law.status_code == 201 and not_the_holder.status_code == 403
    assert version_after_shares.status_code == 201 and version_after_shares.json()["version"] == 2
    assert withdrawn.status_code == 200 and twice.status_code == 409
    assert after_withdrawal.status_code == 403 and law_stands.status_code == 200
    assert [c["stands"] for c in sharing["consents"]] == [False]
    assert {(s["to_unit"], s["basis"], s["legal_basis"]) for s in sharing["shares"]} == {
        ("shelter-10", "consent", None), ("prosecutor-10", "legal_basis", "child_protection_act")}


