"""/metrics on a real service, database and broker: requests counted by route template, the outbox backlog and the
dead letters read from real rows, the consumer's lag from its partitions; parsed as Prometheus parses it."""

from datetime import datetime, timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from sqlalchemy import insert

from contracts.access import Role
from contracts.topics import INTAKE_EVENTS
from saphan_runtime import cloudevents, db, migrations
from saphan_runtime.service import Service
from saphan_runtime.testing import eventually, running, sample_value, scrape
from tests.helpers import publish


async def test_a_request_is_counted_under_its_route_template_and_metrics_need_no_token(make_service, caller) -> None:
    async with running(make_service("documents")) as url, httpx.AsyncClient(base_url=url) as client:
        answered = await client.get("/cases/case-77/documents", headers=caller("shelter-10", Role.SOCIAL_WORKER))
        samples = await scrape(url)  # without a token
    counted = sample_value(samples, "saphan_http_requests_total", service="documents", method="GET",
                           route="/cases/{case_id}/documents", status=str(answered.status_code))
    timed = sample_value(samples, "saphan_http_request_duration_seconds_count", service="documents", method="GET",
                         route="/cases/{case_id}/documents")
    assert counted == 1 and timed == 1
    assert not [s for s in samples if "case-77" in s.labels.get("route", "")]


async def test_the_outbox_backlog_counts_the_stored_events_not_yet_published_and_the_oldest_s_age(
    make_service,
) -> None:
    service: Service = make_service("intake")  # not started: no relay publishes the rows under our feet
    await migrations.upgrade_async(service.database_url, service.parts.migrations)
    now = cloudevents.now()
    try:
        await store_events(service, [(INTAKE_EVENTS, now - timedelta(minutes=5)), (None, now - timedelta(hours=1)),
                                     (INTAKE_EVENTS, now - timedelta(minutes=2)), (INTAKE_EVENTS, now)])
        waiting = await figures(service)
        await store_cursor(service, position=3)  # the relay got past the second published event
        later = await figures(service)
    finally:
        await db.dispose(service.engine)
        await service.read_engine.dispose()
    assert waiting["saphan_outbox_backlog_events"] == 3  # the event kept only in intake's store is never published
    assert 300 <= waiting["saphan_outbox_oldest_event_age_seconds"] < 360
    assert later["saphan_outbox_backlog_events"] == 1 and later["saphan_outbox_oldest_event_age_seconds"] < 60


async def test_a_message_that_cannot_be_read_is_counted_as_a_dead_letter_and_the_consumer_catches_up(
    make_service, broker
) -> None:
    service = make_service("documents")
    async with running(service) as url:
        before = await scrape(url)
        await publish(broker, INTAKE_EVENTS, b"not an event", key=b"case-1")

        async def dead_lettered() -> list[Sample] | None:
            samples = await scrape(url)
            found = sample_value(samples, "saphan_inbox_dead_letters", service="documents", topic=INTAKE_EVENTS)
            caught_up = [s for s in samples if s.name == "saphan_kafka_consumer_lag_records"
                         and s.labels["topic"] == INTAKE_EVENTS]
            return samples if found == 1 and caught_up and all(s.value == 0 for s in caught_up) else None

        after = await eventually(dead_lettered)
    assert sample_value(before, "saphan_inbox_dead_letters", service="documents", topic=INTAKE_EVENTS) == 0
    lagging = [s for s in after if s.name == "saphan_kafka_consumer_lag_records"]
    assert {s.labels["service"] for s in lagging} == {"documents"}
    assert {s.labels["partition"] for s in lagging if s.labels["topic"] == INTAKE_EVENTS} <= {str(p) for p in range(6)}


async def store_events(service: Service, events: list[tuple[str | None, datetime]]) -> None:
    """Store events as the unit of work would, with the topic they go to (None: kept in the store only)."""
    rows = [{"event_id": f"e-{n}", "stream_id": "case-c-1", "version": n, "type": "saphan.intake.case-reported.v1",
             "case_id": "c-1", "topic": topic, "payload": "{}", "recorded_at": at}
            for n, (topic, at) in enumerate(events, start=1)]
    async with service.sessions() as session, session.begin():
        await session.execute(insert(service.tables["events"]), rows)


async def store_cursor(service: Service, *, position: int) -> None:
    """Record how far the relay got."""
    async with service.sessions() as session, session.begin():
        await session.execute(insert(service.tables["relay_cursor"]),
                              {"relay": service.settings.name, "position": position, "updated_at": cloudevents.now()})


async def figures(service: Service) -> dict[str, float]:
    """Return the outbox figures of /metrics, read through the app (not started: no token, no broker needed)."""
    transport = httpx.ASGITransport(app=service.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        response = await client.get("/metrics")
    return {s.name: s.value for f in text_string_to_metric_families(response.text) for s in f.samples
            if s.name.startswith("saphan_outbox_") and s.labels == {"service": "intake"}}
