"""Bad input gets a clear answer: HTTP 422 naming the field, or a dead letter with its reason; the rest goes on."""

import uuid

import httpx
import pytest

from contracts.topics import INTAKE_EVENTS, dead_letter_topic
from saphan_runtime.testing import eventually, read_topic, running
from tests.helpers import UsualCallers, case_reported_event, publish, report, with_data


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


async def test_malformed_json_is_refused_with_422_naming_the_body(make_service, tmp_path) -> None:
    async with running(make_service("intake")) as url, \
            httpx.AsyncClient(base_url=url, auth=UsualCallers(tmp_path, {"intake": url})) as client:
        response = await client.post("/cases", content=b'{"channel": "hotline_1300",',
                                     headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("body")
    assert response.json()["errors"][0]["type"] == "json_invalid"


@pytest.mark.parametrize(("garbage", "reason"), [
    (b"\x00\x9f not json at all", "not a CloudEvents"),
    (b'{"specversion": "1.0", "id": "x"}', "not a CloudEvents"),
    (b'{"specversion":"1.0","id":"x","source":"/x","type":"saphan.intake.no-such-thing.v1","subject":"c",'
     b'"time":"2026-11-01T00:00:00Z","dataschema":"urn:x","streamid":"s","sequence":"0000000001","data":{}}',
     "unknown event type"),
    (None, "data does not match"),
])
async def test_a_bad_message_goes_to_the_dead_letter_topic_and_the_next_good_one_is_applied(
    make_service, broker, garbage, reason, tmp_path
) -> None:
    if garbage is None:  # a real envelope whose data breaks its schema
        garbage = with_data(case_reported_event("broken"), channel=None, client_age_years="old")
    documents = make_service("documents")
    good_case = str(uuid.uuid4())
    async with running(documents) as url, \
            httpx.AsyncClient(base_url=url, auth=UsualCallers(tmp_path, {"documents": url})) as client:
        await publish(broker, INTAKE_EVENTS, garbage, key=b"broken")
        await publish(broker, INTAKE_EVENTS, case_reported_event(good_case), key=good_case.encode())

        async def filed() -> bool:
            return (await client.get(f"/cases/{good_case}/documents")).status_code == 200

        await eventually(filed)
    letters = await read_topic(broker, dead_letter_topic("documents"), at_least=1)
    assert len(letters) == 1
    headers = dict(letters[0].headers)
    assert reason in headers["dlq-reason"].decode()
    assert headers["dlq-topic"].decode() == broker.topic(INTAKE_EVENTS)
    assert letters[0].value == garbage
    assert documents.consumer is not None and documents.consumer.dead_lettered == 1
