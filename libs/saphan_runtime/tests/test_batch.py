"""A consumer's batch on real databases: units of work that join one transaction, their inbox claims written
together, the stream versions and the work kept for the commit."""

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from saphan_runtime.tests.support import case_reported, store
from saphan_runtime.transactions import AlreadyProcessed, InboxKey, LeftOpen, before_commit


async def test_units_of_work_in_a_batch_commit_once_with_all_their_inbox_claims(database) -> None:
    async with store(database("batch"), inline=True) as events:
        async with events.batch() as batch:
            for n in range(3):
                async with events.unit_of_work(InboxKey("t", f"e{n}"), batch) as uow:
                    await uow.append(f"case-{n}", case_id=str(n), expected_version=0, events=[case_reported(str(n))])
                    await uow.commit()
            assert events.commits == 0  # handed to the batch, not committed yet
            await batch.commit()
        assert events.commits == 1
        async with events.batch() as batch:
            assert await batch.processed("t", ["e0", "e2", "e9"]) == {"e0", "e2"}
        with pytest.raises(AlreadyProcessed):
            async with events.unit_of_work(InboxKey("t", "e1")) as uow:
                await uow.commit()
        async with events.unit_of_work() as uow:
            assert [len(await uow.load(f"case-{n}")) for n in range(3)] == [1, 1, 1]


async def test_a_batch_closed_without_its_commit_leaves_no_trace(database) -> None:
    async with store(database("batch"), inline=True) as events:
        async with events.batch() as batch, events.unit_of_work(InboxKey("t", "e"), batch) as uow:
            await uow.append("case-x", case_id="x", expected_version=0, events=[case_reported("x")])
            await uow.commit()
        async with events.unit_of_work() as uow:
            assert await uow.load("case-x") == []
        async with events.batch() as batch:
            assert await batch.processed("t", ["e"]) == set()
    assert events.commits == 0


async def test_a_unit_of_work_that_ends_in_a_batch_without_committing_spoils_the_batch(database) -> None:
    async with store(database("batch"), inline=True) as events, events.batch() as batch:
        with pytest.raises(LeftOpen):
            async with events.unit_of_work(InboxKey("t", "e"), batch) as uow:
                await uow.append("case-y", case_id="y", expected_version=0, events=[case_reported("y")])


async def test_an_append_of_several_events_keeps_their_order_and_the_stream_version(database) -> None:
    async with store(database("batch"), inline=True) as events:
        async with events.unit_of_work() as uow:
            first = await uow.append("case-z", case_id="z", expected_version=0,
                                     events=[case_reported("z") for _ in range(3)])
            assert await uow.version("case-z") == 3  # as this transaction appended it
            second = await uow.append("case-z", case_id="z", expected_version=3, events=[case_reported("z")])
            await uow.commit()
        async with events.unit_of_work() as uow:
            loaded = await uow.load("case-z")
    positions = [e.position for e in [*first, *second]]
    assert positions == sorted(positions) and len(set(positions)) == 4
    assert [(e.position, e.version) for e in loaded] == [(e.position, e.version) for e in [*first, *second]]
    assert [e.version for e in loaded] == [1, 2, 3, 4]
    assert [e.position for e in events.projected] == positions  # projected in the order stored


async def test_work_kept_for_the_commit_runs_once_as_it_commits_and_not_at_all_on_a_rollback(database) -> None:
    ran: list[str] = []

    async def finish(_: AsyncSession) -> None:
        ran.append("finished")

    async with store(database("batch"), inline=True) as events:
        async with events.unit_of_work() as uow:
            before_commit(uow.session, "k", finish)
            before_commit(uow.session, "k", finish)  # the same key: once
        assert ran == []
        async with events.unit_of_work() as uow:
            before_commit(uow.session, "k", finish)
            await uow.commit()
        assert ran == ["finished"]
        async with events.batch() as batch:
            before_commit(batch.session, "k", finish)
            await batch.commit()
    assert ran == ["finished", "finished"]
