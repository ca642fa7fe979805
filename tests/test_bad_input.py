"""Bad input gets a clear answer: HTTP 422 naming the field, or a dead letter with its reason; the rest goes on.

The HTTP side is also fuzzed from each service's OpenAPI document in tests/test_api_fuzzing.py."""

import json
from datetime import UTC, datetime
from typing import TypeVar
from uuid import uuid4

import httpx
import hypothesis
import pytest
from aiokafka import AIOKafkaProducer
from hypothesis import strategies as st

from contracts.access import RESOURCE_LENGTH, CaseDataAccessed, Role
from contracts.common import (
    AgencyKind,
    Channel,
    ConsentState,
    DutyShift,
    Location,
    ProblemType,
    ReferralRole,
    RuleFired,
    Urgency,
)
from contracts.documents import DocumentUploaded
from contracts.envelope import EventData
from contracts.intake import CaseReported
from contracts.referral import AgencyAssignment, RoutingDecided
from contracts.registry import model_for
from contracts.topics import (
    ACCESS_EVENTS,
    AUDIT_EVENTS,
    AUDIT_LEDGER,
    DOCUMENTS_EVENTS,
    INTAKE_EVENTS,
    REFERRAL_EVENTS,
    dead_letter_topic,
)
from saphan_runtime.dead_letters import DEAD_LETTER_CUT_BYTES
from saphan_runtime.service_catalogue import catalogue
from saphan_runtime.testing import eventually, read_topic, running
from tests.helpers import UsualCallers, event_of, publish, publish_all, report

T = TypeVar("T")
ACCESS = CaseDataAccessed.type_name()


@pytest.mark.parametrize(("body", "field"), [
    ({**report(), "channel": "carrier_pigeon"}, "body.channel"),
    ({k: v for k, v in report().items() if k != "received_at"}, "body.received_at"),
    (report(client={"estimated_age_years": "nine"}), "body.client.estimated_age_years"),
    (report(client={"national_id": "1103702071812"}), "body.client.national_id"),
    (report(client={"birth_date": "2030-01-01"}), "body.client.birth_date"),
    (report(client={"nationality": "thai"}), "body.client.nationality"),
    (report(informant={"anonymous": True, "name": "สมศรี"}), "body.informant"),
    (report(location={"province_code": "10", "district_code": "1001", "subdistrict_code": "100199"}),
     "body.location.subdistrict_code"),
    (report(location={"province_code": "10", "district_code": "1002", "subdistrict_code": "100101"}),
     "body.location.subdistrict_code"),
    (report(problem_types=[]), "body.problem_types"),
    (report(location={"province_code": "1"}), "body.location.province_code"),
    (report(location={"province_code": "10", "district_code": "2001"}), "body.location.district_code"),
    (report(received_at="2099-01-01T00:00:00+07:00"), "body.received_at"),
    ({**report(), "unexpected": 1}, "body.unexpected"),
    # Found by tests/test_api_fuzzing.py: a number read as seconds since 1970 or as a truth value, and a NUL
    # character (which PostgreSQL cannot store: it was a 500 there).
    (report(received_at=1795000000), "body.received_at"),
    (report(client={"birth_date": 0}), "body.client.birth_date"),
    (report(immediate_danger=0), "body.immediate_danger"),
    (report(client={"estimated_age_years": "9"}), "body.client.estimated_age_years"),
    (report(description="a\x00b"), "body.description"),
    (report(received_at="0001-01-02T02:00:00Z"), "body.received_at"),  # were 500s: too far back to reckon with
    (report(client={"birth_date": "1420-02-05"}), "body.client.birth_date"),
])
async def test_an_invalid_report_is_refused_with_422_naming_the_field(make_service, body, field, tmp_path) -> None:
    intake = make_service("intake")
    async with running(intake) as url, \
            httpx.AsyncClient(base_url=url, auth=UsualCallers(tmp_path, {"intake": url})) as client:
        response = await client.post("/cases", json=body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        errors = {e["field"]: e for e in response.json()["errors"]}
        assert field in errors, errors
        assert errors[field]["message_en"] and errors[field]["message_th"]
        assert (await client.get("/readyz")).status_code == 200
    async with intake.unit_of_work() as uow:
        assert await uow.version("ledger") == 0  # nothing at all was written
        events = intake.tables["events"]
        assert (await uow.session.execute(events.select())).first() is None


@pytest.mark.parametrize("body", [b'{"channel": "hotline_1300",', b'{"channel": "\xff"}'])  # cut short; not UTF-8
async def test_malformed_json_is_refused_with_422_naming_the_body(make_service, body, tmp_path) -> None:
    async with running(make_service("intake")) as url, \
            httpx.AsyncClient(base_url=url, auth=UsualCallers(tmp_path, {"intake": url})) as client:
        response = await client.post("/cases", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("body")
    assert response.json()["errors"][0]["type"] == "json_invalid"


async def test_a_read_by_a_very_long_url_is_answered_and_recorded_cut(make_service, tmp_path) -> None:
    intake = make_service("intake")
    async with running(intake) as url, \
            httpx.AsyncClient(base_url=url, auth=UsualCallers(tmp_path, {"intake": url})) as client:
        case_id = (await client.post("/cases", json=report())).json()["case_id"]
        response = await client.get(f"/cases/{case_id}", params={"made_up": "x" * 3000})  # was a 500 (fuzzing)
    assert response.status_code == 200, response.text
    async with intake.unit_of_work() as uow:
        events = intake.tables["events"]
        payloads = (await uow.session.execute(events.select().where(events.c.type == ACCESS))).all()
    resource = json.loads(payloads[0].payload)["data"]["resource"]
    assert len(resource) == RESOURCE_LENGTH and resource.startswith(f"/cases/{case_id}?made_up=xxx")
    assert resource.endswith("…")


# Every topic a service consumes gets every kind of unreadable message, then one good event. Hypothesis draws the
# random ones (a few of each kind, other ones each run; a failure prints them); the rest are fixed.
RANDOM_OF_EACH_KIND = 3
OVERSIZED = 900_000  # bytes: near the broker's 1 MiB message limit, with room for the dead letter's headers
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12)
CONSUMERS = ("intake", "referral", "documents", "audit")


def a_good_event(topic: str, case_id: str) -> bytes:
    """Return an event on a topic that every consumer of the topic applies."""
    at = datetime(2026, 11, 21, 3, tzinfo=UTC)
    data: dict[str, EventData] = {
        INTAKE_EVENTS: CaseReported(
            case_id=case_id, channel=Channel.POLICE, received_at=at, duty_shift=DutyShift.AFTER_HOURS,
            problem_types=[ProblemType.BEGGING], client_age_years=70, location=Location(province_code="10"),
            consent=ConsentState.GIVEN, informant_anonymous=True, reported_by_unit="hotline-1300"),
        REFERRAL_EVENTS: RoutingDecided(
            case_id=case_id, urgency=Urgency.URGENT, lead=AgencyKind.CHILDREN_FAMILY_SHELTER, decided_at=at,
            assignments=[AgencyAssignment(agency_kind=AgencyKind.CHILDREN_FAMILY_SHELTER, unit_id="shelter-10",
                                          role=ReferralRole.LEAD)],
            rules_fired=[RuleFired(rule_id="test", reason="test / ทดสอบ")]),
        DOCUMENTS_EVENTS: DocumentUploaded(
            case_id=case_id, document_id="d-1", document_version=1, document_type="statement_record",
            content_type="application/pdf", size_bytes=1, sha256="0" * 64, blob_id="0" * 32,
            uploaded_by_unit="hotline-1300", uploaded_by_user="tester", uploaded_at=at),
        ACCESS_EVENTS: CaseDataAccessed(
            case_id=case_id, service="intake", action="intake.case.read", resource=f"/cases/{case_id}",
            user="tester", unit_id="hotline-1300", roles=[Role.HOTLINE_OPERATOR], accessed_at=at),
    }
    return event_of(data[topic], case_id)


def unreadable_messages(topic: str) -> list[tuple[bytes | None, str]]:
    """Return the messages no consumer of a topic can apply, each with what its dead letter's reason must say."""
    good = json.loads(a_good_event(topic, "broken"))
    model = model_for(good["type"])
    assert model is not None
    wrong_data = st.one_of(
        st.dictionaries(st.text(max_size=10), JSON, max_size=5),  # anything at all
        st.sampled_from(sorted(good["data"])).flatmap(lambda name: JSON.map(lambda v: {**good["data"], name: v})),
    ).filter(lambda data: not conforms(model, data))  # one field changed, unless the change happens to be allowed
    return [
        *[(raw, "not a CloudEvents") for raw in drawn(st.binary(max_size=512))],
        *[(json.dumps(value).encode(), "not a CloudEvents") for value in drawn(JSON)],
        (json.dumps({name: good[name] for name in ("specversion", "id", "type")}).encode(), "not a CloudEvents"),
        *[(json.dumps({**good, "data": data}).encode(), "data does not match") for data in drawn(wrong_data)],
        (json.dumps({**good, "type": "saphan.nobody.no-such-thing.v1"}).encode(), "unknown event type"),
        (bytes(range(256)) * (OVERSIZED // 256), "not a CloudEvents"),
        (json.dumps({**good, "data": {**good["data"], "padding": "x" * OVERSIZED}}).encode(), "data does not match"),
        (None, "empty message"),
    ]


def drawn(strategy: st.SearchStrategy[T]) -> list[T]:
    """Return a few values Hypothesis draws from a strategy."""
    found: list[T] = []

    @hypothesis.settings(max_examples=RANDOM_OF_EACH_KIND, database=None, deadline=None,
                         phases=[hypothesis.Phase.generate], suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(strategy)
    def draw(value: T) -> None:
        found.append(value)

    draw()
    return found


def conforms(model: type[EventData], data: object) -> bool:
    try:
        model.model_validate(data)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("consumer", CONSUMERS)
async def test_every_unreadable_message_on_every_topic_consumed_is_dead_lettered_and_the_next_event_applied(
    make_service, broker, consumer
) -> None:
    service = make_service(consumer)
    topics = service.subscribed_topics()
    sent = {topic: unreadable_messages(topic) for topic in topics}
    async with running(service):
        for topic, messages in sent.items():  # under one key: the good event comes after them on its partition
            await publish_all(broker, topic, [value for value, _ in messages] + [a_good_event(topic, str(uuid4()))])

        async def applied() -> bool:
            assert service.consumer is not None
            return service.consumer.applied == len(topics)

        await eventually(applied)
    letters = await read_topic(broker, dead_letter_topic(consumer), at_least=sum(map(len, sent.values())))
    assert service.consumer is not None and service.consumer.dead_lettered == len(letters)
    for topic, messages in sent.items():
        came = [letter for letter in letters if dict(letter.headers)["dlq-topic"] == broker.topic(topic).encode()]
        assert [letter.value for letter in came] == [value for value, _ in messages], topic
        for letter, (value, reason) in zip(came, messages, strict=True):
            headers = dict(letter.headers)
            assert reason in headers["dlq-reason"].decode(), (topic, value and value[:200], headers["dlq-reason"])
            assert headers["dlq-consumer"] == consumer.encode() and int(headers["dlq-offset"]) >= 0


def test_the_topics_above_are_every_topic_a_service_consumes() -> None:
    found = catalogue()
    assert set(CONSUMERS) == {subscription.service for subscription in found.subscriptions}
    consumed = {subscription.topic for subscription in found.subscriptions}
    assert consumed == {INTAKE_EVENTS, REFERRAL_EVENTS, DOCUMENTS_EVENTS, ACCESS_EVENTS}
    assert AUDIT_LEDGER not in consumed and AUDIT_EVENTS not in consumed  # for mirrors and witnesses, not services


async def test_a_message_at_the_size_limit_is_dead_lettered_too(make_service, broker, backend) -> None:
    if backend != "sqlite":
        pytest.skip("a broker matter: one backend is enough")
    documents = make_service("documents")
    at_the_limit = b"x" * (1024 * 1024 - 200)  # a producer sends it (under the limit); its dead letter is over
    async with running(documents):
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(broker.topic(INTAKE_EVENTS), value=at_the_limit, key=b"k")
        finally:
            await producer.stop()
        await publish(broker, INTAKE_EVENTS, a_good_event(INTAKE_EVENTS, "after"), key=b"k")

        async def applied() -> bool:
            assert documents.consumer is not None
            return documents.consumer.applied == 1

        await eventually(applied, within=5)
    [dead] = await read_topic(broker, dead_letter_topic("documents"), at_least=1)
    assert dict(dead.headers)["dlq-truncated"] == str(len(at_the_limit)).encode()  # sent cut, kept whole in the table
    assert len(dead.value) == DEAD_LETTER_CUT_BYTES and dict(dead.headers)["dlq-reason"]
