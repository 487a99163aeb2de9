"""Engine and session setup. One session, one transaction per unit of work.

SQLite allows one writer at a time, and a transaction that reads first and writes later can
fail ("database is locked") when another has written meanwhile. So on SQLite every
transaction of this process waits its turn on one asyncio lock (transactions are short:
nothing waits on the network inside one), and begins `BEGIN IMMEDIATE`, which also makes
other processes (the CLI) wait for it. Two people pressing at once are then handled one
after the other; a forum with 10 places never takes an eleventh. PostgreSQL needs neither:
its row locks (`FOR UPDATE`) and unique indexes do that work, with real concurrency."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # the driver's own BEGIN is replaced by ours
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout, and its folder."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    # Updates of different chats run at the same time: enough connections that they do not
    # queue for one (PostgreSQL's default allows 100 connections in all).
    return create_async_engine(url, pool_pre_ping=True, pool_size=16, max_overflow=16)


@dataclass
class Database:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    one_at_a_time: asyncio.Lock | None = None  # SQLite: this process's transactions queue here
    _holder: asyncio.Task[Any] | None = None

    @classmethod
    def connect(cls, url: str) -> Database:
        engine = create_engine(url)
        lock = asyncio.Lock() if engine.dialect.name == "sqlite" else None
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False), lock)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed on success and rolled back on error. Never
        open one inside another (on SQLite the second would wait for the first forever)."""
        async with contextlib.AsyncExitStack() as stack:
            if self.one_at_a_time is not None:
                task = asyncio.current_task()
                if task is not None and task is self._holder:
                    raise RuntimeError("a transaction was opened inside another one")
                await stack.enter_async_context(self.one_at_a_time)
                self._holder = task
                stack.callback(setattr, self, "_holder", None)
            session = await stack.enter_async_context(self.sessionmaker())
            await stack.enter_async_context(session.begin())
            yield session

    async def close(self) -> None:
        await self.engine.dispose()
