"""The inline SQLite driver against the threaded one it replaces for writers: same answers, no worker thread."""

import asyncio
import threading

from sqlalchemy import text

from saphan_runtime import db, sqlite_inline, testing


async def _answers_and_threads(url: str, *, inline: bool) -> tuple[list[tuple[int, str]], int]:
    engine = db.create_engine(url, inline=inline)
    before = {thread.ident for thread in threading.enumerate()}  # a thread of an earlier test may end meanwhile
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE IF NOT EXISTS t (n INTEGER PRIMARY KEY, word TEXT)"))
            await connection.execute(text("DELETE FROM t"))
            await connection.execute(text("INSERT INTO t (n, word) VALUES (:n, :word)"),
                                     [{"n": 1, "word": "หนึ่ง"}, {"n": 2, "word": "two"}])
        async with engine.connect() as connection:
            rows = [tuple(row) for row in await connection.execute(text("SELECT n, word FROM t ORDER BY n"))]
            threads = sum(thread.ident not in before for thread in threading.enumerate())
    finally:
        await engine.dispose()
    return rows, threads


async def test_an_inline_engine_answers_as_the_threaded_one_without_a_thread_per_connection(tmp_path) -> None:
    url = testing.sqlite_url(tmp_path, "inline")
    threaded_rows, threaded_threads = await _answers_and_threads(url, inline=False)
    inline_rows, inline_threads = await _answers_and_threads(url, inline=True)
    assert inline_rows == threaded_rows == [(1, "หนึ่ง"), (2, "two")]
    assert threaded_threads >= 1  # aiosqlite's worker thread(s)
    assert inline_threads == 0


async def test_an_inline_engine_reports_sqlite_errors_as_the_driver_does(tmp_path) -> None:
    engine = db.create_engine(testing.sqlite_url(tmp_path, "errors"), inline=True)
    try:
        async with engine.connect() as connection:
            try:
                await connection.execute(text("SELECT * FROM no_such_table"))
            except Exception as error:  # noqa: BLE001 - the kind is what is checked
                assert "no such table" in str(error)
                assert type(error).__name__ == "OperationalError"
            else:
                raise AssertionError("no error raised")
            assert (await connection.execute(text("SELECT 1"))).scalar() == 1  # the connection still works
    finally:
        await engine.dispose()


async def test_an_inline_writer_leaves_the_log_to_the_checkpointer_which_copies_all_of_it(tmp_path) -> None:
    url = testing.sqlite_url(tmp_path, "wal")
    path = db.inline_sqlite_file(url)
    assert path is not None and db.inline_sqlite_file("sqlite+aiosqlite://") is None
    engine = db.create_engine(url, inline=True)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY, pad TEXT)"))
        for _ in range(5):  # well past SQLite's automatic checkpoint at 1000 pages, were it on
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO t (pad) VALUES (:pad)"),
                                         [{"pad": "x" * 4000} for _ in range(300)])
        busy, frames, done = await sqlite_inline.checkpoint(path)
        assert busy == 0 and frames > 1000 and done == frames
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar() == 1500
    finally:
        await engine.dispose()


async def _longest_log(url: str, *, rewind: bool) -> int:
    """Commit small transactions one after another while checkpoints run alongside, as a service does; return the
    most frames the log held."""
    path = db.inline_sqlite_file(url)
    assert path is not None
    engine, gate, longest = db.create_engine(url, inline=True), asyncio.Lock(), 0

    async def checkpoints() -> None:
        nonlocal longest
        while True:
            _, frames, _ = await sqlite_inline.checkpoint(path, gate if rewind else None, rewind_frames=100)
            longest = max(longest, frames)

    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY, pad TEXT)"))
        checkpointing = asyncio.create_task(checkpoints())
        for _ in range(1500):
            async with gate, engine.begin() as connection:
                await connection.execute(text("INSERT INTO t (pad) VALUES (:pad)"), {"pad": "x" * 3000})
            await asyncio.sleep(0)  # a service's loop has other work between its writers
        checkpointing.cancel()
        await asyncio.gather(checkpointing, return_exceptions=True)
        _, frames, _ = await sqlite_inline.checkpoint(path)
        return max(longest, frames)
    finally:
        await engine.dispose()


async def test_under_steady_commits_the_checkpointer_has_the_log_start_over(tmp_path) -> None:
    """Passive checkpoints alone let the log grow for as long as writers keep committing (it reached gigabytes in a
    soak run); the pass under the write gate keeps it near `rewind_frames`."""
    without = await _longest_log(testing.sqlite_url(tmp_path, "passive"), rewind=False)
    with_gate = await _longest_log(testing.sqlite_url(tmp_path, "rewound"), rewind=True)
    assert without >= 1500  # every commit's frames are still in the log
    assert with_gate <= without // 4, (with_gate, without)  # measured: 300 against 4,531
