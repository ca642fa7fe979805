"""Small builders shared by the cross-service tests."""

from collections.abc import Sequence
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
    producer = data.type_name().split(".")[1]  # saphan.<producer>.<event>.v<n>
    event = cloudevents.build(data=data, source=f"/saphan/{producer}", subject=case_id, stream_id=f"case-{case_id}",
                              version=version)
    return cloudevents.encode(event).encode()


def event_of(data: EventData, case_id: str, *, version: int = 1) -> bytes:
    """Return any event data as its producer would publish it (a CloudEvent about the case)."""
    return _event(data, case_id, version=version)


async def publish(broker: BrokerUnderTest, topic: str, value: bytes | None, key: bytes = b"k") -> None:
    """Publish one raw message (None: an empty one) to a contract topic and wait for the broker's acknowledgement."""
    await publish_all(broker, topic, [value], key=key)


async def publish_all(broker: BrokerUnderTest, topic: str, values: Sequence[bytes | None], key: bytes = b"k") -> None:
    """Publish raw messages to a contract topic in this order, under one key (so one partition)."""
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all")
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(broker.topic(topic), value=value, key=key)
    finally:
        await producer.stop()


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
