"""Small builders shared by the cross-service tests."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from contracts.access import Role
from contracts.common import Channel, ConsentState, DutyShift, Location, ProblemType, Response, RuleFired, Urgency
from contracts.envelope import EventData
from contracts.intake import CaseReported, CaseTriaged
from saphan_runtime import cloudevents
from saphan_runtime.testing import BrokerUnderTest, bearer

# Who usually calls each service in these tests: an operator reports, a supervisor follows, an auditor replays.
USUAL_CALLERS = {"intake": ("hotline-1300", Role.HOTLINE_OPERATOR), "referral": ("hotline-1300", Role.SUPERVISOR),
                 "documents": ("hotline-1300", Role.SUPERVISOR), "audit": ("oversight-1", Role.AUDITOR)}


def report(n: int = 0, **overrides: Any) -> dict[str, Any]:
    """Return a valid report body; even numbers are children, odd numbers adults."""
    body: dict[str, Any] = {
        "channel": "hotline_1300",
        "received_at": "2026-11-21T10:00:00+07:00",
        "problem_types": ["domestic_violence"],
        "client": {"estimated_age_years": 9 if n % 2 == 0 else 34},
        "location": {"province_code": "10", "district_code": "1001", "subdistrict_code": "100101"},
        "description": f"report {n}",
    }
    return {**body, **overrides}


def case_reported_event(case_id: str, **changes: Any) -> bytes:
    """Return a valid CaseReported CloudEvent as intake would publish it."""
    values: dict[str, Any] = {
        "case_id": case_id, "channel": Channel.POLICE, "received_at": datetime(2026, 11, 1, tzinfo=UTC),
        "duty_shift": DutyShift.AFTER_HOURS, "problem_types": [ProblemType.BEGGING], "client_age_years": 70,
        "location": Location(province_code="10"), "consent": ConsentState.GIVEN, "informant_anonymous": True,
        "reported_by_unit": "hotline-1300"}
    return _event(CaseReported(**{**values, **changes}), case_id, version=1)


def case_triaged_event(case_id: str, urgency: Urgency = Urgency.URGENT) -> bytes:
    """Return a CaseTriaged CloudEvent for a case (version 2 of its intake stream)."""
    data = CaseTriaged(case_id=case_id, urgency=urgency, response=Response.FIELD_VISIT,
                       decided_by=RuleFired(rule_id="test", reason="test / ทดสอบ"), triaged_at=cloudevents.now())
    return _event(data, case_id, version=2)


def _event(data: EventData, case_id: str, *, version: int) -> bytes:
    event = cloudevents.build(data=data, source="/saphan/intake", subject=case_id, stream_id=f"case-{case_id}",
                              version=version)
    return cloudevents.encode(event).encode()


async def publish(broker: BrokerUnderTest, topic: str, value: bytes, key: bytes = b"k") -> None:
    """Publish one raw message to a contract topic and wait for the broker's acknowledgement."""
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(broker.topic(topic), value=value, key=key)
    finally:
        await producer.stop()


def with_data(raw: bytes, **data_changes: Any) -> bytes:
    """Return an event with some of its data fields replaced (None removes one)."""
    event = json.loads(raw)
    for name, value in data_changes.items():
        if value is None:
            event["data"].pop(name, None)
        else:
            event["data"][name] = value
    return json.dumps(event).encode()


class UsualCallers(httpx.Auth):
    """Sign each request as the usual caller of the service it goes to, unless it already carries a token."""

    def __init__(self, var_dir: Path, urls: dict[str, str]) -> None:
        self.tokens = {url: bearer(var_dir, *USUAL_CALLERS[name])["Authorization"] for name, url in urls.items()
                       if name in USUAL_CALLERS}

    def auth_flow(self, request: httpx.Request) -> Any:
        if "authorization" not in request.headers:
            for url, token in self.tokens.items():
                if str(request.url).startswith(url):
                    request.headers["Authorization"] = token
        yield request
