"""The authorisation matrix, generated from the access policy table (contracts/access_policy.json): every endpoint
of the four services × every role × every unit standing in a different relation to one case (reporter and sender,
lead and serving, pending, rejected, overseer, outsider), each asserted allowed or denied as the table says, with the
fields the table hides checked in every case record shown. Requests that would change something carry an invalid
body: allowed gives 422 (the body is checked after the caller), denied gives 403, and nothing changes."""

from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import httpx

from contracts.access import Relation, Role, hidden_fields, policy, relations_allowed, roles_allowed
from saphan_runtime import parties
from saphan_runtime.service import Service
from saphan_runtime.testing import bearer, eventually, running
from tests.helpers import UsualCallers, report

SERVICES = ("intake", "referral", "documents", "audit")
OUTSIDER = "msdhs-77"
INVALID = {"not a field": True}


@dataclass(frozen=True)
class Endpoint:
    """One route, the action of the policy table that guards it, and how to call it for a case."""

    action: str
    service: str
    method: str
    template: str
    body: dict[str, Any] | None = None
    unit: str | None = None  # the unit the path names; None: the caller's own (own_unit scope)
    allowed_status: int | None = None  # what an allowed caller gets, when not 200 (a read) or 422 (a bad body)
    query: dict[str, str] | None = None  # query parameters, e.g. a board reaching back to the case's report

    def path(self, case: "Case", unit: str) -> str:
        return self.template.format(case_id=case.case_id, referral_id=case.referral_id, unit_id=self.unit or unit,
                                    existing_case_id=case.case_id, action="receive", document_id="d-1",
                                    consent_id="c-1", province_code="10", district_code="1001")


ENDPOINTS = [
    Endpoint("intake.case.report", "intake", "POST", "/cases", INVALID),
    Endpoint("intake.case.report", "intake", "POST", "/cases/validation", INVALID),
    # The list of areas the report form picks from: for whoever may report.
    Endpoint("intake.case.report", "intake", "GET", "/geography/provinces"),
    Endpoint("intake.case.report", "intake", "GET", "/geography/provinces/{province_code}/districts"),
    Endpoint("intake.case.report", "intake", "GET", "/geography/districts/{district_code}/subdistricts"),
    Endpoint("intake.case.read", "intake", "GET", "/cases/{case_id}"),
    Endpoint("intake.case.search", "intake", "GET", "/cases"),
    Endpoint("intake.board.read", "intake", "GET", "/board", query={"since": "2026-11-01T00:00:00+07:00"}),
    Endpoint("intake.case.close", "intake", "POST", "/cases/{case_id}/closure", INVALID),
    Endpoint("intake.duplicate.resolve", "intake", "POST", "/cases/{case_id}/duplicates/{existing_case_id}", INVALID),
    Endpoint("intake.personal-data.erase", "intake", "POST", "/cases/{case_id}/erasure", INVALID),
    Endpoint("referral.case.read", "referral", "GET", "/cases/{case_id}/routing"),
    Endpoint("referral.case.read", "referral", "GET", "/cases/{case_id}/status"),
    Endpoint("referral.case.read", "referral", "GET", "/referrals/{referral_id}"),
    Endpoint("referral.referral.act", "referral", "POST", "/referrals/{referral_id}/{action}", {"note": 7}),
    Endpoint("referral.casework.record", "referral", "POST", "/cases/{case_id}/work", INVALID),
    Endpoint("referral.routing.override", "referral", "POST", "/cases/{case_id}/routing/override", INVALID),
    Endpoint("referral.agency.read", "referral", "GET", "/agencies"),
    Endpoint("referral.agency.read", "referral", "GET", "/agencies/{unit_id}", unit="shelter-10"),
    Endpoint("referral.agency.write", "referral", "PUT", "/agencies/{unit_id}", INVALID, unit="shelter-10"),
    Endpoint("referral.inbox.read", "referral", "GET", "/agencies/{unit_id}/inbox"),
    Endpoint("referral.inbox.read", "referral", "GET", "/agencies/{unit_id}/sent"),
    Endpoint("referral.inbox.read", "referral", "GET", "/agencies/{unit_id}/escalations"),
    Endpoint("referral.webhook.manage", "referral", "GET", "/agencies/{unit_id}/webhooks"),
    Endpoint("referral.webhook.manage", "referral", "POST", "/agencies/{unit_id}/webhooks", INVALID),
    Endpoint("documents.case.read", "documents", "GET", "/cases/{case_id}/documents"),
    Endpoint("documents.document.upload", "documents", "POST", "/cases/{case_id}/documents", INVALID),
    Endpoint("documents.document.upload", "documents", "POST", "/cases/{case_id}/documents/{document_id}/versions",
             INVALID),
    Endpoint("documents.catalogue.read", "documents", "GET", "/document-types"),
    Endpoint("documents.case.read", "documents", "GET", "/cases/{case_id}/sharing"),
    Endpoint("documents.consent.record", "documents", "POST", "/cases/{case_id}/consents", INVALID),
    Endpoint("documents.consent.record", "documents", "POST", "/cases/{case_id}/consents/{consent_id}/withdrawal",
             allowed_status=404),  # no such consent
    Endpoint("documents.document.share", "documents", "POST", "/cases/{case_id}/documents/{document_id}/shares",
             INVALID),
    # No such document: allowed callers get 404 (the holding-unit rule has its own tests in services/documents).
    Endpoint("documents.document.download", "documents", "GET", "/cases/{case_id}/documents/{document_id}/content",
             allowed_status=404),
    Endpoint("audit.history.read", "audit", "GET", "/cases/{case_id}/timeline"),
    Endpoint("audit.history.read", "audit", "GET", "/cases/{case_id}/state"),
    Endpoint("audit.checkpoint.sign", "audit", "POST", "/checkpoints"),
    Endpoint("audit.checkpoint.read", "audit", "GET", "/checkpoints"),
    Endpoint("audit.checkpoint.read", "audit", "GET", "/ledger/public-key"),
]
# Routes the matrix leaves to their own tests: streams never end, and the rest need a signed checkpoint or a
# webhook first; each is guarded by the same action as a route above (test_access_events, test_trail, ...).
ELSEWHERE = {("GET", "/cases/{case_id}/status/stream"), ("GET", "/agencies/{unit_id}/inbox/stream"),
             ("GET", "/board/stream"),
             ("POST", "/agencies/{unit_id}/webhooks/{webhook_id}/replay"),
             ("GET", "/proofs/inclusion"), ("GET", "/proofs/consistency"), ("GET", "/cases/{case_id}/trail"),
             ("GET", "/cases/{case_id}/trail.pdf"), ("GET", "/cases/{case_id}/trail.zip")}
NOT_GUARDED = {("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics")}  # probes and the Prometheus scrape


@dataclass(frozen=True)
class Case:
    case_id: str
    referral_id: str
    relations: dict[str, frozenset[Relation]]  # unit -> how it stands to the case


def expected_allowed(endpoint: Endpoint, role: Role, relations: frozenset[Relation]) -> bool:
    """Return what the policy table says of a caller with this role standing in these relations to the case."""
    rule = policy()["actions"][endpoint.action]
    if rule["scope"] == "public":
        return True
    if role not in roles_allowed(endpoint.action):
        return False
    on_one_case = "{case_id}" in endpoint.template or "{referral_id}" in endpoint.template
    if rule["scope"] != "party" or not on_one_case:  # a search shows only the caller's cases (checked below)
        return True
    return not relations.isdisjoint(relations_allowed(endpoint.action))


async def test_every_endpoint_role_and_relation_is_allowed_or_denied_as_the_policy_says(
    make_service, tmp_path
) -> None:
    services = {name: make_service(name) for name in SERVICES}
    assert_every_route_is_in_the_matrix(services)
    async with AsyncExitStack() as stack:
        urls = {name: await stack.enter_async_context(running(service)) for name, service in services.items()}
        client = await stack.enter_async_context(httpx.AsyncClient(auth=UsualCallers(tmp_path, urls), timeout=10))
        case = await a_case_with_every_relation(client, urls, services, tmp_path)
        full = (await client.get(f"{urls['intake']}/cases/{case.case_id}")).json()
        outcomes: list[tuple[str, str, str, str, int, bool]] = []
        for endpoint in ENDPOINTS:
            for role in Role:
                for unit, relations in case.relations.items():
                    token = bearer(tmp_path, unit, role)
                    url = urls[endpoint.service] + endpoint.path(case, unit)
                    response = await client.request(endpoint.method, url, json=endpoint.body, headers=token,
                                                    params=endpoint.query)
                    allowed = expected_allowed(endpoint, role, relations)
                    outcomes.append((endpoint.method, endpoint.template, role, unit, response.status_code, allowed))
                    if allowed:
                        expected = endpoint.allowed_status or (200 if endpoint.method == "GET" else 422)
                        assert response.status_code == expected or endpoint.template == "/checkpoints", (
                            endpoint, role, unit, response.text)
                    if allowed and response.status_code == 200:
                        check_fields(endpoint, response.json(), case, role, relations, full)
        others = await client.get(f"{urls['referral']}/agencies/{OUTSIDER}/inbox",
                                  headers=bearer(tmp_path, "shelter-10", Role.SHELTER_SOCIAL_WORKER))
    wrong = [o for o in outcomes if (o[4] == 403) == o[5] or o[4] in (401, 500)]
    assert not wrong, f"{len(wrong)} of {len(outcomes)} disagree with the policy, e.g. {wrong[:5]}"
    assert len(outcomes) == len(ENDPOINTS) * len(Role) * len(case.relations)
    assert others.status_code == 403  # another unit's inbox


def check_fields(endpoint: Endpoint, body: Any, case: Case, role: Role, relations: frozenset[Relation],
                 full: dict[str, Any]) -> None:
    """Every case record shown hides exactly the fields the table hides from this role and relation; the board lists
    the case to its parties only, and no personal field to anyone."""
    if endpoint.action == "intake.board.read":
        assert [item["case_id"] for item in body["items"]] == ([case.case_id] if relations & relations_allowed(
            endpoint.action) else [])
        assert not {"client_name", "client_address", "informant_name"} & {key for i in body["items"] for key in i}
    if endpoint.action not in ("intake.case.read", "intake.case.search"):
        return
    records = body["items"] if endpoint.action == "intake.case.search" else [body]
    if endpoint.action == "intake.case.search":
        assert [r["case_id"] for r in records] == ([case.case_id] if relations & relations_allowed(
            endpoint.action) else [])
    hidden = hidden_fields(endpoint.action, relations, frozenset({role}))
    for record in records:
        assert set(record["hidden_fields"]) == hidden
        for field in hidden:
            assert record[field] is None
        for field in {"client_name", "client_address", "informant_name"} - hidden:
            assert record[field] == full[field] is not None


async def a_case_with_every_relation(client: httpx.AsyncClient, urls: dict[str, str], services: dict[str, Service],
                                     tmp_path: Any) -> Case:
    """Report a child's case; its lead accepts, one unit leaves its referral pending, another rejects it."""
    posted = await client.post(f"{urls['intake']}/cases", json=report(0, client={
        "name": "เด็กชายทดสอบ สิทธิ์", "estimated_age_years": 9}, informant={"name": "ครูประจำชั้น"},
        location={"province_code": "10", "district_code": "1001", "subdistrict_code": "100101",
                  "address": "1 ถนนทดสอบ"}))
    case_id = posted.json()["case_id"]

    async def routed() -> list[dict[str, Any]] | None:
        status = await client.get(f"{urls['referral']}/cases/{case_id}/status")
        return status.json()["referrals"] if status.status_code == 200 else None

    referrals = await eventually(routed)
    lead = next(r for r in referrals if r["role"] == "lead")
    pending, rejected = [r for r in referrals if r is not lead][:2]
    for referral, moves in ((lead, [("receive", {}), ("accept", {})]),
                            (rejected, [("reject", {"reason": "out_of_area"})])):
        for action, body in moves:
            as_unit = bearer(tmp_path, referral["to_unit"], Role.SOCIAL_WORKER)
            moved = await client.post(f"{urls['referral']}/referrals/{referral['referral_id']}/{action}",
                                      json=body, headers=as_unit)
            assert moved.status_code == 200, moved.text
    units = ["hotline-1300", lead["to_unit"], pending["to_unit"], rejected["to_unit"], "msdhs-10", OUTSIDER]
    relations = await eventually(lambda: agreed_relations(services, case_id, units))
    assert relations[pending["to_unit"]] == {Relation.REFERRED} and relations[rejected["to_unit"]] == set()
    assert {Relation.LEAD, Relation.SERVING} <= relations[lead["to_unit"]] and relations[OUTSIDER] == set()
    return Case(case_id, pending["referral_id"], relations)


async def agreed_relations(services: dict[str, Service], case_id: str, units: list[str]
                           ) -> dict[str, frozenset[Relation]] | None:
    """Return each unit's relations once intake, referral and documents all hold the same, else None."""
    seen = []
    for name in ("intake", "referral", "documents"):
        async with services[name].read_sessions() as session:
            seen.append({unit: await parties.relations(session, case_id, unit) for unit in units})
    if seen[0] != seen[1] or seen[1] != seen[2] or any(v is None for v in seen[0].values()):
        return None
    return {unit: frozenset(found or ()) for unit, found in seen[0].items()}


def assert_every_route_is_in_the_matrix(services: dict[str, Service]) -> None:
    """A new route must join the matrix (or say why not); every action of the table has a route here."""
    routes = {(method.upper(), path) for service in services.values()
              for path, operations in service.app.openapi()["paths"].items() for method in operations}
    covered = {(e.method, e.template) for e in ENDPOINTS}
    assert routes - NOT_GUARDED - ELSEWHERE == covered
    assert {e.action for e in ENDPOINTS} == set(policy()["actions"])
