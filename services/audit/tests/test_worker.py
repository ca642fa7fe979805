"""Audit records each event once, after the event that caused it, whichever topic delivers first."""

import json

from contracts.common import AgencyKind, ReferralRole, RuleFired, Urgency
from contracts.referral import AgencyAssignment, RoutingDecided
from contracts.topics import INTAKE_EVENTS, REFERRAL_EVENTS
from saphan_runtime import cloudevents
from saphan_runtime.testing import eventually, running
from services.audit.tests.test_ledger import auditor_client
from tests.helpers import case_reported_event, publish


def routing_caused_by(cause_id: str, case_id: str) -> bytes:
    data = RoutingDecided(case_id=case_id, urgency=Urgency.NORMAL, lead=AgencyKind.PROVINCIAL_MSDHS_OFFICE,
                          assignments=[AgencyAssignment(agency_kind=AgencyKind.PROVINCIAL_MSDHS_OFFICE,
                                                        unit_id="msdhs-10", role=ReferralRole.LEAD)],
                          rules_fired=[RuleFired(rule_id="r", reason="because")], decided_at=cloudevents.now())
    event = cloudevents.build(data=data, source="/saphan/referral", subject=case_id, stream_id=f"routing-{case_id}",
                              version=1, causation_id=cause_id)
    return cloudevents.encode(event).encode()


async def test_an_effect_that_arrives_before_its_cause_is_recorded_after_it(make_service, broker, caller) -> None:
    cause = case_reported_event("case-9")
    effect = routing_caused_by(cloudevents.decode(cause).id, "case-9")
    async with running(make_service("audit")) as url, auditor_client(url, caller) as client:
        await publish(broker, REFERRAL_EVENTS, effect, key=b"case-9")
        await publish(broker, REFERRAL_EVENTS, effect, key=b"case-9")  # and once more, redelivered
        await publish(broker, INTAKE_EVENTS, cause, key=b"case-9")

        async def both() -> list | None:
            response = await client.get("/cases/case-9/timeline", params={"include_reads": "false"})
            return response.json()["events"] if response.status_code == 200 and \
                len(response.json()["events"]) == 2 else None

        events = await eventually(both)
        assert (await client.get("/cases/unknown/timeline")).status_code == 404
    assert [e["type"] for e in events] == ["saphan.intake.case-reported.v1", "saphan.referral.routing-decided.v1"]
    # (in sequence order; the poll's own reads of the timeline are ledger entries too, so one may fall between)
    assert events[0]["sequence"] < events[1]["sequence"]
    assert events[1]["event"] == json.loads(effect)
