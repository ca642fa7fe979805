"""Inserts, selects and changes on the hot path, run on the SQLite driver's own connection.

Each report and each consumed event inserts a handful of rows (its events, its inbox claim, who is party to its
case). Through `AsyncSession.execute` one such INSERT cost 124 µs of CPU on a SQLite file, through an inline
session (sqlite_inline.InlineSession) 44 µs, and handed to its sqlite3 connection 10 µs (measured 2026-12-01).
Here each statement is compiled once per table and set of columns, its parameters go through the same bind
processors SQLAlchemy would apply (so the stored values are the same), and a driver error is raised as SQLAlchemy
raises it (an IntegrityError stays an IntegrityError). Other sessions (PostgreSQL's, or a SQLite file's that is not
inline) take SQLAlchemy's usual path.

Prebuilt SELECTs, UPDATEs and DELETEs (a consumed event's "already applied?", its stream, the views it changes) go the
same way through their `plan`, unless SQLAlchemy would convert the rows they return. The relay's read of its next
batch, made after every commit, runs outside any transaction (`FileReader`): through a pooled read session
(aiosqlite's thread, SQLAlchemy's greenlet, a BEGIN and a COMMIT) reading two events cost 857 µs of CPU, on a
read-only sqlite3 connection of its own 6 µs (a hundred events: 1,076 µs against 96; measured 2026-12-01).

These statements bypass SQLAlchemy's execution events, so they are not in the database spans of a traced run."""

import functools
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Column, Delete, Select, Table, Update, bindparam, insert, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause

from saphan_runtime.sqlite_inline import InlineSession

Row = Mapping[str, Any]
DRIVER = "direct.driver"  # session.info: (the transaction, the driver connection it runs on)


@dataclass(frozen=True)
class Compiled:
    """An INSERT of some columns of a table: its SQLAlchemy form, and its SQLite text with positional parameters and
    each parameter's bind processor."""

    clause: TextClause
    sqlite: str
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]

    def parameters(self, row: Row) -> tuple[Any, ...]:
        """Return a row's values in parameter order, processed as SQLAlchemy would bind them."""
        return tuple(value if process is None else process(value)
                     for value, process in zip((row[name] for name in self.names), self.processors, strict=True))


async def insert_rows(session: AsyncSession, table: Table, rows: Sequence[Row], *, skip_existing: bool = False) -> None:
    """Insert rows (each with the same columns); with `skip_existing`, a row whose key is already there is skipped
    (ON CONFLICT DO NOTHING)."""
    if not rows:
        return
    compiled = _compiled(session.bind.dialect, table, tuple(rows[0]), skip_existing)
    if not isinstance(session, InlineSession):
        await session.execute(compiled.clause, list(rows))
        return
    values = [compiled.parameters(row) for row in rows]
    try:
        _driver(session).executemany(compiled.sqlite, values)
    except sqlite3.Error as error:
        raise _wrapped(compiled, values, error) from error


async def insert_numbered(session: AsyncSession, table: Table, rows: Sequence[Row], number: Column[Any]) -> list[int]:
    """Insert rows (each with the same columns) and return the number the database gave each, in row order (`number`:
    the auto-incremented key)."""
    if not rows:
        return []
    if not isinstance(session, InlineSession):
        returned = await session.execute(_returning(table, number), list(rows))
        return [int(value) for value in returned.scalars()]
    compiled = _compiled(session.bind.dialect, table, tuple(rows[0]), False)
    driver = _driver(session)
    numbers = []
    for row in rows:
        values = compiled.parameters(row)
        try:
            numbers.append(int(driver.execute(compiled.sqlite, values).lastrowid or 0))
        except sqlite3.Error as error:
            raise _wrapped(compiled, values, error) from error
    return numbers


def _driver(session: InlineSession) -> sqlite3.Connection:
    """Return the sqlite3 connection of the session's transaction (beginning it if it has not begun)."""
    transaction = session.sync_session.get_transaction()
    held = session.info.get(DRIVER)
    if held is not None and transaction is not None and held[0] is transaction:
        return cast(sqlite3.Connection, held[1])
    driver = cast(sqlite3.Connection, session.sync_session.connection().connection.driver_connection)
    session.info[DRIVER] = (session.sync_session.get_transaction(), driver)
    return driver


def _wrapped(compiled: Compiled, values: Any, error: sqlite3.Error) -> StatementError:
    return DBAPIError.instance(compiled.sqlite, values, error, sqlite3.Error)


@functools.cache
def _compiled(dialect: Dialect, table: Table, names: tuple[str, ...], skip_existing: bool) -> Compiled:
    quote = dialect.identifier_preparer.quote
    columns = [table.c[name] for name in names]
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in names)})"
    tail = " ON CONFLICT DO NOTHING" if skip_existing else ""
    clause = text(f"{head} VALUES ({', '.join(':' + name for name in names)}){tail}").bindparams(
        *(bindparam(column.name, type_=column.type) for column in columns))
    return Compiled(clause=clause, sqlite=f"{head} VALUES ({', '.join('?' for _ in names)}){tail}", names=names,
                    processors=tuple(column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns))


@functools.cache
def _returning(table: Table, number: Column[Any]) -> Any:
    return insert(table).returning(number, sort_by_parameter_order=True)


@dataclass(frozen=True)
class Plan:
    """A prebuilt statement as SQLite text with named parameters: the values of the parameters the caller does not
    give, the bind processors of those SQLAlchemy converts, and the parameters that expand into a list (IN)."""

    sql: str
    defaults: dict[str, Any]
    processors: Mapping[str, Callable[[Any], Any]]
    expanding: tuple[str, ...]

    def bound(self, parameters: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """Return the text and the values to run it with."""
        values = {**self.defaults, **parameters}
        for name, process in self.processors.items():
            if values.get(name) is not None:
                values[name] = process(values[name])
        sql = self.sql
        for name in self.expanding:
            items = list(values.pop(name))
            names = [f"{name}__{index}" for index in range(len(items))]
            sql = sql.replace(f"(__[POSTCOMPILE_{name}])", f"({', '.join(':' + item for item in names)})")
            values.update(zip(names, items, strict=True))
        return sql, values


_NAMED = sqlite.dialect(paramstyle="named")


@functools.lru_cache(maxsize=256)
def plan(statement: Select[Any] | Update | Delete, names: tuple[str, ...] = ()) -> Plan | None:
    """Return a prebuilt statement's plan (`names`: the columns an UPDATE sets from its parameters); None when the
    driver's rows would not do as they are (a column SQLAlchemy converts: dates, JSON, booleans)."""
    compiled = statement.compile(dialect=_NAMED, column_keys=list(names) or None)
    if isinstance(statement, Select):
        for column in statement.selected_columns:
            if column.type.dialect_impl(_NAMED).result_processor(_NAMED, None) is not None:
                return None
    processors = {name: process for name, bind in compiled.binds.items()
                  if (process := bind.type.dialect_impl(_NAMED).bind_processor(_NAMED)) is not None}
    expanding = tuple(name for name, bind in compiled.binds.items() if bind.expanding)
    return Plan(sql=str(compiled), defaults={k: v for k, v in compiled.params.items() if k not in expanding},
                processors=processors, expanding=expanding)


def _runs_directly(session: AsyncSession, statement: Select[Any] | Update | Delete, parameters: Mapping[str, Any],
                   names: tuple[str, ...] = ()) -> Plan | None:
    found = plan(statement, names) if isinstance(session, InlineSession) else None
    if found is not None and any(not parameters[name] for name in found.expanding):
        return None  # (an empty list: SQLAlchemy's own rendering)
    return found


async def select_rows(session: AsyncSession, statement: Select[Any], parameters: Mapping[str, Any]) -> list[Any]:
    """Return the rows (tuples) a prebuilt SELECT finds in the session's transaction, its own writes included: on an
    inline session's sqlite3 connection when the statement has a plan, else through the session."""
    if (found := _runs_directly(session, statement, parameters)) is not None:
        return _run(cast(InlineSession, session), found, parameters).fetchall()
    return [tuple(row) for row in await session.execute(statement, parameters)]


async def select_scalar(session: AsyncSession, statement: Select[Any], parameters: Mapping[str, Any]) -> Any:
    """Return the first column of the first row a prebuilt SELECT finds (None without a row), as `select_rows`."""
    rows = await select_rows(session, statement, parameters)
    return rows[0][0] if rows else None


async def change(session: AsyncSession, statement: Update | Delete, parameters: Mapping[str, Any]) -> int:
    """Run a prebuilt UPDATE or DELETE in the session's transaction (an UPDATE without `.values` sets the columns its
    parameters name); return how many rows it changed."""
    names = tuple(sorted(parameters)) if isinstance(statement, Update) else ()
    if (found := _runs_directly(session, statement, parameters, names)) is not None:
        return int(_run(cast(InlineSession, session), found, parameters).rowcount)
    result = await session.execute(statement, parameters)
    return int(result.rowcount)  # type: ignore[attr-defined]


def _run(session: InlineSession, found: Plan, parameters: Mapping[str, Any]) -> sqlite3.Cursor:
    sql, values = found.bound(parameters)
    try:
        return _driver(session).execute(sql, values)
    except sqlite3.Error as error:
        raise DBAPIError.instance(sql, values, error, sqlite3.Error) from error


class FileReader:
    """Reads a SQLite file on the event loop's thread through a read-only sqlite3 connection of its own: in WAL mode a
    read sees a snapshot and waits for no writer. Only for reads a LIMIT bounds (the loop waits for them) of
    prebuilt statements that have a plan."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._connection: sqlite3.Connection | None = None

    def rows(self, statement: Select[Any], parameters: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Return the rows a prebuilt statement (its parameters bound by name) selects."""
        found = plan(statement)
        if found is None:
            raise ValueError("the file reader takes only statements with a plan (see direct.plan)")
        if self._connection is None:
            uri = f"{Path(self._path).absolute().as_uri()}?mode=ro"
            self._connection = sqlite3.connect(uri, uri=True, isolation_level=None)
        sql, values = found.bound(parameters)
        try:
            return self._connection.execute(sql, values).fetchall()
        except sqlite3.Error as error:
            raise DBAPIError.instance(sql, values, error, sqlite3.Error) from error

    def close(self) -> None:
        """Close the connection (a later read opens it again)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
