"""Inserts on the driver's connection (SQLite) against SQLAlchemy's own inserts: the same stored values, the same
errors, the same transaction. On PostgreSQL they are SQLAlchemy's path, and the same tests hold. The file reader (SQLite
only) against SQLAlchemy's reads."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from saphan_runtime import db, direct, testing
from saphan_runtime.sqlite_inline import InlineSession

METADATA = MetaData()
THINGS = Table(
    "things", METADATA,
    Column("number", db.Position, primary_key=True, autoincrement=True),
    Column("name", String(50), nullable=False, unique=True),
    Column("at", db.UtcDateTime(), nullable=True),
    Column("tags", JSON, nullable=True),
    Column("blob", LargeBinary, nullable=True),
    Column("flag", Boolean, nullable=True),
    Column("count", Integer, nullable=True),
)
BANGKOK = timezone(timedelta(hours=7))


def _row(name: str, **changes: Any) -> dict[str, Any]:
    return {"name": name, "at": datetime(2026, 12, 1, 13, 5, 7, 123456, tzinfo=BANGKOK), "tags": ["ก", 1, None],
            "blob": b"\x00\xff", "flag": True, "count": 3, **changes}


@asynccontextmanager
async def _sessions(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = db.create_engine(url, inline=True)
    async with engine.begin() as connection:
        await connection.run_sync(METADATA.create_all)
    try:
        yield db.create_sessionmaker(engine)
    finally:
        await db.dispose(engine)


async def _stored(sessions: async_sessionmaker[AsyncSession], *, raw: bool = False) -> dict[str, tuple[Any, ...]]:
    """Return each row's values after its name, as SQLAlchemy reads them or (`raw`) as the database holds them."""
    query = text("SELECT * FROM things ORDER BY number") if raw else select(THINGS).order_by(THINGS.c.number)
    async with sessions() as session:
        return {row.name: tuple(row)[2:] for row in await session.execute(query)}


async def test_rows_inserted_directly_are_stored_as_sqlalchemy_stores_them(database) -> None:
    url = database("direct")
    async with _sessions(url) as sessions:
        async with sessions() as session, session.begin():
            assert isinstance(session, InlineSession) == url.startswith("sqlite")  # (the driver's path, on SQLite)
            await session.execute(insert(THINGS), [_row("by-sqlalchemy"), _row("none-by-sqlalchemy", at=None, tags=None,
                                                                               blob=None, flag=None, count=None)])
            await direct.insert_rows(session, THINGS, [_row("direct"), _row("none-direct", at=None, tags=None,
                                                                            blob=None, flag=None, count=None)])
        stored, held = await _stored(sessions), await _stored(sessions, raw=True)
    assert stored["direct"] == stored["by-sqlalchemy"] and held["direct"] == held["by-sqlalchemy"]
    assert stored["none-direct"] == stored["none-by-sqlalchemy"] and held["none-direct"] == held["none-by-sqlalchemy"]
    assert stored["direct"][0] == datetime(2026, 12, 1, 6, 5, 7, 123456, tzinfo=UTC)


async def test_numbered_inserts_return_each_rows_number_in_row_order(database) -> None:
    async with _sessions(database("direct")) as sessions, sessions() as session, session.begin():
        first = await direct.insert_numbered(session, THINGS, [_row("a"), _row("b"), _row("c")], THINGS.c.number)
        then = await direct.insert_numbered(session, THINGS, [_row("d")], THINGS.c.number)
        numbers = dict((await session.execute(select(THINGS.c.name, THINGS.c.number))).tuples().all())
    assert first == [numbers["a"], numbers["b"], numbers["c"]] and first == sorted(first)
    assert then == [numbers["d"]] and then[0] > first[-1]


async def test_a_key_already_there_raises_sqlalchemys_integrity_error_unless_skipped(database) -> None:
    async with _sessions(database("direct")) as sessions:
        async with sessions() as session, session.begin():
            await direct.insert_rows(session, THINGS, [_row("taken", count=1)])
            await direct.insert_rows(session, THINGS, [_row("taken", count=2), _row("free")], skip_existing=True)
        with pytest.raises(IntegrityError):
            async with sessions() as session, session.begin():
                await direct.insert_numbered(session, THINGS, [_row("taken")], THINGS.c.number)
        with pytest.raises(IntegrityError):
            async with sessions() as session, session.begin():
                await direct.insert_rows(session, THINGS, [_row("fresh"), _row("taken")])
        stored = await _stored(sessions)
    assert set(stored) == {"taken", "free"} and stored["taken"][-1] == 1  # the failed transactions left nothing


async def test_direct_inserts_belong_to_the_sessions_transaction(database) -> None:
    async with _sessions(database("direct")) as sessions:
        async with sessions() as session:
            async with session.begin():
                await direct.insert_rows(session, THINGS, [_row("kept")])
            transaction = await session.begin()
            await direct.insert_rows(session, THINGS, [_row("undone")])
            await direct.insert_numbered(session, THINGS, [_row("undone too")], THINGS.c.number)
            await transaction.rollback()
        assert set(await _stored(sessions)) == {"kept"}


async def test_a_file_reader_reads_what_sqlalchemy_reads_and_sees_each_commit_but_never_an_open_transaction(
        tmp_path) -> None:
    url = testing.sqlite_url(tmp_path, "reader")
    after = select(THINGS.c.number, THINGS.c.name, THINGS.c.count).where(THINGS.c.number > bindparam("after")) \
        .order_by(THINGS.c.number).limit(bindparam("size"))
    reader = direct.FileReader(db.inline_sqlite_file(url) or "")
    try:
        async with _sessions(url) as sessions:
            async with sessions() as session, session.begin():
                await direct.insert_rows(session, THINGS, [_row(name) for name in "abcd"])
            async with sessions() as session:
                expected = [tuple(row) for row in await session.execute(after, {"after": 1, "size": 2})]
            assert reader.rows(after, {"after": 1, "size": 2}) == expected == [(2, "b", 3), (3, "c", 3)]
            async with sessions() as session:
                transaction = await session.begin()
                await direct.insert_rows(session, THINGS, [_row("e")])
                assert [row[1] for row in reader.rows(after, {"after": 3, "size": 10})] == ["d"]  # not yet committed
                await transaction.commit()
            assert [row[1] for row in reader.rows(after, {"after": 3, "size": 10})] == ["d", "e"]
    finally:
        reader.close()


async def test_a_file_reader_reports_errors_as_sqlalchemy_does_and_takes_only_statements_with_a_plan(
        tmp_path) -> None:
    url = testing.sqlite_url(tmp_path, "reader")
    reader = direct.FileReader(db.inline_sqlite_file(url) or "")
    try:
        async with _sessions(url):
            with pytest.raises(OperationalError, match="no such table"):
                reader.rows(select(text("*")).select_from(text("nothing_here")), {})
            with pytest.raises(ValueError, match="plan"):
                reader.rows(select(THINGS.c.at), {})  # a date SQLAlchemy would convert
    finally:
        reader.close()


async def test_selects_and_changes_see_the_transactions_own_writes_and_convert_what_sqlalchemy_converts(
        database) -> None:
    by_name = select(THINGS.c.number, THINGS.c.count).where(THINGS.c.name == bindparam("name"))
    dated = select(THINGS.c.at, THINGS.c.tags).where(THINGS.c.name == bindparam("name"))  # no plan: the session's path
    named = select(THINGS.c.name).where(THINGS.c.name.in_(bindparam("names", expanding=True))).order_by(THINGS.c.name)
    assert direct.plan(by_name) is not None and direct.plan(dated) is None and direct.plan(named) is not None
    setting = update(THINGS).where(THINGS.c.name == bindparam("which"))  # sets what its parameters name
    removing = delete(THINGS).where(THINGS.c.name.in_(bindparam("names", expanding=True)))
    async with _sessions(database("direct")) as sessions:
        async with sessions() as session, session.begin():
            [number] = await direct.insert_numbered(session, THINGS, [_row("new", count=7)], THINGS.c.number)
            await direct.insert_rows(session, THINGS, [_row("other"), _row("third")])
            assert await direct.select_rows(session, by_name, {"name": "new"}) == [(number, 7)]
            assert await direct.select_scalar(session, by_name, {"name": "absent"}) is None
            assert await direct.select_rows(session, dated, {"name": "new"}) == [
                (datetime(2026, 12, 1, 6, 5, 7, 123456, tzinfo=UTC), ["ก", 1, None])]
            assert await direct.select_rows(session, named, {"names": ["third", "new", "absent"]}) == [
                ("new",), ("third",)]
            assert await direct.select_rows(session, named, {"names": []}) == []
            later = datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC)
            assert await direct.change(session, setting, {"which": "new", "at": later, "tags": {"k": "ข"},
                                                          "flag": False}) == 1
            assert await direct.change(session, setting, {"which": "absent", "count": 1}) == 0
            assert await direct.change(session, removing, {"names": ["other", "absent"]}) == 1
            assert await direct.change(session, removing, {"names": []}) == 0
        async with sessions() as session:
            await session.execute(insert(THINGS), [_row("by-sqlalchemy", at=later, tags={"k": "ข"}, flag=False,
                                                        count=7)])
            await session.commit()
        stored, held = await _stored(sessions), await _stored(sessions, raw=True)
    assert set(stored) == {"new", "third", "by-sqlalchemy"}
    assert stored["new"] == stored["by-sqlalchemy"] and held["new"] == held["by-sqlalchemy"]  # converted alike
