"""Documents opens a case file for each reported case, once, however often the event is delivered."""

import httpx

from contracts.access import Role
from contracts.topics import INTAKE_EVENTS
from saphan_runtime.testing import eventually, running
from tests.helpers import case_reported_event, publish


async def test_a_reported_case_gets_one_case_file_even_when_the_event_comes_twice(make_service, broker, caller) -> None:
    documents = make_service("documents")
    event = case_reported_event("case-7")
    async with (
        running(documents) as url,
        httpx.AsyncClient(base_url=url, headers=caller("hotline-1300", Role.HOTLINE_OPERATOR)) as client,
    ):
        await publish(broker, INTAKE_EVENTS, event, key=b"case-7")
        await publish(broker, INTAKE_EVENTS, event, key=b"case-7")

        async def both_seen() -> bool:
            consumer = documents.consumer
            return consumer is not None and consumer.applied + consumer.duplicates == 2

        await eventually(both_seen)
        response = await client.get("/cases/case-7/documents")
    assert response.status_code == 200 and response.json()["documents"] == []
    assert documents.consumer is not None and (documents.consumer.applied, documents.consumer.duplicates) == (1, 1)
