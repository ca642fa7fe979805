"""The event store on real databases: append and load, optimistic concurrency, the inbox."""

import asyncio

import pytest
from sqlalchemy import event

from saphan_runtime.tests.support import case_reported, store
from saphan_runtime.transactions import AlreadyProcessed, ConcurrencyConflict, InboxKey


async def test_appended_events_load_back_in_version_order_with_their_envelope(database) -> None:
    async with store(database("store")) as events:
        async with events.unit_of_work() as uow:
            await uow.append("case-a", case_id="a", expected_version=0,
                             events=[case_reported("a"), case_reported("a")])
            await uow.commit()
        async with events.unit_of_work() as uow:
            loaded = await uow.load("case-a")
            version = await uow.version("case-a")
    assert [e.version for e in loaded] == [1, 2]
    assert version == 2
    assert all(e.envelope.subject == "a" and e.envelope.streamid == "case-a" for e in loaded)
    assert loaded[0].data == case_reported("a")
    assert len(events.projected) == 2 and events.commits == 1


async def test_two_writers_at_the_same_version_one_wins_and_the_other_conflicts(database) -> None:
    async with store(database("store")) as events:

        async def write() -> str:
            async with events.unit_of_work() as uow:
                await uow.append("case-b", case_id="b", expected_version=0, events=[case_reported("b")])
                await asyncio.sleep(0.05)
                await uow.commit()
            return "ok"

        results = await asyncio.gather(write(), write(), return_exceptions=True)
        async with events.unit_of_work() as uow:
            loaded = await uow.load("case-b")
    assert sorted(map(type, results), key=str) == sorted([str, ConcurrencyConflict], key=str)
    assert len(loaded) == 1


async def test_an_event_already_in_the_inbox_is_refused_and_nothing_is_written(database) -> None:
    key = InboxKey("referral", "event-1")
    async with store(database("store")) as events:
        async with events.unit_of_work(key) as uow:
            await uow.append("case-c", case_id="c", expected_version=0, events=[case_reported("c")])
            await uow.commit()
        with pytest.raises(AlreadyProcessed):
            async with events.unit_of_work(key) as uow:
                await uow.append("case-c", case_id="c", expected_version=1, events=[case_reported("c")])
                await uow.commit()
        async with events.unit_of_work() as uow:
            loaded = await uow.load("case-c")
    assert len(loaded) == 1
    assert loaded[0].envelope.causationid == "event-1"


async def test_an_uncommitted_unit_of_work_leaves_no_trace(database) -> None:
    async with store(database("store")) as events:
        async with events.unit_of_work(InboxKey("audit", "e")) as uow:
            await uow.append("case-d", case_id="d", expected_version=0, events=[case_reported("d")])
        async with events.unit_of_work(InboxKey("audit", "e")) as uow:
            assert await uow.load("case-d") == []


async def test_a_transaction_takes_the_append_lock_once_however_many_times_it_appends(database) -> None:
    """PostgreSQL: the advisory lock that orders positions is held until the transaction ends, so a consumer's batch
    asks for it once (a round trip per event saved); the next transaction asks again."""
    url = database("store")
    if not url.startswith("postgresql"):
        pytest.skip("the append lock is PostgreSQL's (SQLite writers take turns)")
    async with store(url) as events:
        asked: list[str] = []
        listen = (events.engine.sync_engine, "before_cursor_execute")

        def count(conn: object, cursor: object, statement: str, *args: object) -> None:
            if "pg_advisory_xact_lock" in statement:
                asked.append(statement)

        event.listen(*listen, count)
        try:
            async with events.batch() as batch:
                for case in ("d", "e", "f"):
                    async with events.unit_of_work(batch=batch) as uow:
                        await uow.append(f"case-{case}", case_id=case, expected_version=0,
                                         events=[case_reported(case)])
                        await uow.commit()
                await batch.commit()
            in_one = len(asked)
            async with events.unit_of_work() as uow:
                await uow.append("case-g", case_id="g", expected_version=0, events=[case_reported("g")])
                await uow.commit()
        finally:
            event.remove(*listen, count)
    assert (in_one, len(asked)) == (1, 2)
