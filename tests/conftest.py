"""Fixtures: a fresh database per test (SQLite and PostgreSQL), the local Bot API, and the
real Application started on them.

What is the same for every test is made once per session: the knowledge index, and a
migrated template database per backend that each test's database is copied from (SQLite: a
file copy; PostgreSQL: `CREATE DATABASE … TEMPLATE`). The application still runs the
migrations at start; on a copy of the template they find nothing to do.

Without a PostgreSQL server the PostgreSQL half is skipped and the summary says how to run
it; when `CI` is set or `TEST_POSTGRES_URL` is given, an unreachable server is an error."""

from __future__ import annotations

import os

os.environ["PTB_TIMEDELTA"] = "1"  # python-telegram-bot's future behaviour: durations as timedelta
import asyncio
import functools
import heapq
import itertools
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.app import build_application, build_knowledge, running
from bot.buttons import SEPARATOR, CallbackData
from bot.config import Settings
from bot.context import IdeApplication
from bot.knowledge import Knowledge
from bot.local_api import LocalBotApi, LocalUser
from storage import migrate
from storage.db import create_engine

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
# Where PostgreSQL must be there (CI, or a server named on purpose), its absence is an error.
POSTGRES_REQUIRED = (
    os.environ.get("CI", "").lower() not in {"", "0", "false"} or "TEST_POSTGRES_URL" in os.environ
)
ADMIN_ID = 900
T = TypeVar("T")


def make_settings(database_url: str, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "_env_file": None,
        "database_url": database_url,
        "data_dir": data_dir,
        "admin_ids": frozenset({ADMIN_ID}),
        "default_language": "sv",
        "timezone": "Europe/Stockholm",
        "content_pack": "sodertalje",
        "telegram_bot_token": None,
        "webhook_url": None,
        "contact_chat_id": None,
        # People in tests act far faster than anyone can type, and tests move their clock by
        # days in milliseconds: Telegram's limits (30 a second overall, counting replies; one
        # a second to a person) would be waited out in real time. They are tested on the rate
        # limiter itself, on a clock the test moves (test_delivery.py).
        "reply_chat_rate": 1000,
        "delivery_rate": 1000,
        "delivery_chat_rate": 100,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@functools.cache
def shared_knowledge() -> Knowledge:
    """The index of every content pack, built once per test session (it takes a while, and
    nothing changes it)."""
    return build_knowledge(make_settings("sqlite+aiosqlite://", Path()))


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return shared_knowledge()


def forged(kind: type[CallbackData], *values: str) -> str:
    """Button data that claims to be of `kind` but holds what its codec never writes."""
    return SEPARATOR.join((kind.prefix, *values))


# -- clocks ------------------------------------------------------------------------------------


class VirtualClock:
    """Time that passes only when the test moves it, for code that paces itself (the rate
    limiter): `monotonic` and `sleep` for it, and the same moment as a datetime (calling the
    clock) for the rest. `advance` moves time on, waking in order whoever sleeps until then;
    `run` awaits something, moving time on whenever all it waits for is this clock."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.start = datetime.now(UTC)
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._slept = asyncio.Event()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds)

    def monotonic(self) -> float:
        return self.seconds

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.seconds + seconds, next(self._order), future))
        self._slept.set()
        await future

    async def advance(self, seconds: float) -> None:
        target = self.seconds + seconds
        while self._sleepers and self._sleepers[0][0] <= target:
            self._wake_first()
            await _settle()
        self.seconds = max(self.seconds, target)
        await _settle()

    async def run(self, awaitable: Awaitable[T]) -> T:
        task = asyncio.ensure_future(awaitable)
        while not task.done():
            await _settle()
            if task.done():
                break
            if self._sleepers:
                self._wake_first()
                continue
            self._slept.clear()
            slept = asyncio.ensure_future(self._slept.wait())
            await asyncio.wait({task, slept}, return_when=asyncio.FIRST_COMPLETED)
            slept.cancel()
        return task.result()

    def _wake_first(self) -> None:
        deadline, _, future = heapq.heappop(self._sleepers)
        self.seconds = max(self.seconds, deadline)
        if not future.done():
            future.set_result(None)


async def _settle() -> None:
    """Let every task that can run, run (a few turns of the event loop, no waiting)."""
    for _ in range(10):
        await asyncio.sleep(0)


@dataclass
class MonotonicClock:
    """Real monotonic time moved on by `offset` seconds: for the rate limiter of a running
    bot, where a test lets time pass that a person would take anyway."""

    offset: float = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


# -- databases ---------------------------------------------------------------------------------


def _dsn(url: str) -> str:
    """The SQLAlchemy URL as asyncpg takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Templates:
    """A migrated database per backend, made when a test first needs it, dropped at the end
    of the session."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sqlite: Path | None = None
        self.postgres: str | None = None  # the template database's name

    async def sqlite_copy(self, target: Path) -> str:
        if self.sqlite is None:
            template = self.folder / "template.sqlite3"
            await _migrate(f"sqlite+aiosqlite:///{template}")
            self.sqlite = template
        with (
            closing(sqlite3.connect(self.sqlite)) as source,
            closing(sqlite3.connect(target)) as copy,
        ):
            source.backup(copy)
        return f"sqlite+aiosqlite:///{target}"

    async def postgres_template(self) -> str:
        if self.postgres is None:
            name = f"idebot_template_{uuid.uuid4().hex[:12]}"
            connection = await asyncpg.connect(_dsn(POSTGRES_URL))
            try:
                await connection.execute(f'CREATE DATABASE "{name}"')
                self.postgres = name
                url = make_url(POSTGRES_URL).set(database=name)
                await _migrate(url.render_as_string(hide_password=False))
                # Copying needs a template nobody is connected to: let nobody connect.
                await connection.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            finally:
                await connection.close()
        return self.postgres

    async def drop(self) -> None:
        if self.postgres is not None:
            connection = await asyncpg.connect(_dsn(POSTGRES_URL))
            try:
                await connection.execute(f'DROP DATABASE IF EXISTS "{self.postgres}" WITH (FORCE)')
            finally:
                await connection.close()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    made = Templates(tmp_path_factory.mktemp("templates"))
    yield made
    asyncio.run(made.drop())


@asynccontextmanager
async def postgres_database(templates: Templates) -> AsyncIterator[str]:
    """A throwaway PostgreSQL database, a copy of the migrated template, dropped afterwards."""
    async with scratch_postgres(await templates.postgres_template()) as url:
        yield url


@asynccontextmanager
async def scratch_postgres(template: str | None) -> AsyncIterator[str]:
    """A throwaway PostgreSQL database, a copy of `template` (None: empty), dropped after."""
    name = f"idebot_test_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    connection = await asyncpg.connect(_dsn(POSTGRES_URL))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"{copy}')
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, templates: Templates
) -> AsyncIterator[str]:
    """A database of its own for each test, on each backend we support."""
    if request.param == "sqlite":
        yield await templates.sqlite_copy(tmp_path / "test.sqlite3")
        return
    async with postgres_database(templates) as url:
        yield url


@pytest.fixture
async def postgres_url(templates: Templates) -> AsyncIterator[str]:
    """For what only PostgreSQL can do (several delivery workers at once)."""
    async with postgres_database(templates) as url:
        yield url


# -- the bot -----------------------------------------------------------------------------------


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path)


@pytest.fixture
def api() -> LocalBotApi:
    return LocalBotApi()


@pytest.fixture
async def app(
    settings: Settings, api: LocalBotApi, knowledge: Knowledge
) -> AsyncIterator[IdeApplication]:
    async with running(build_application(settings, request=api, knowledge=knowledge)) as started:
        yield started


@pytest.fixture
def person(app: IdeApplication, api: LocalBotApi) -> Callable[..., LocalUser]:
    """Make a person who chats with the running bot."""

    def make(user_id: int = 1001, language_code: str | None = "sv", **kwargs: object) -> LocalUser:
        return LocalUser(api, app, user_id, language_code=language_code, **kwargs)  # type: ignore[arg-type]

    return make


# -- without PostgreSQL ------------------------------------------------------------------------

POSTGRES_SKIPPED = pytest.StashKey[tuple[int, str]]()


def _needs_postgres(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    param = callspec.params.get("database_url") if callspec else None
    return param == "postgresql" or "postgres_url" in getattr(item, "fixturenames", ())


def _postgres_unreachable() -> str | None:
    """Why the PostgreSQL server cannot be used, or None if it can."""

    async def probe() -> None:
        connection = await asyncpg.connect(_dsn(POSTGRES_URL), timeout=5)
        await connection.close()

    try:
        asyncio.run(probe())
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        return f"{type(error).__name__}: {error}"
    return None


def _where() -> str:
    return make_url(POSTGRES_URL).render_as_string(hide_password=True)


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected what will not run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    needing = [item for item in items if _needs_postgres(item)]
    if not needing or (problem := _postgres_unreachable()) is None:
        return
    if POSTGRES_REQUIRED:
        raise pytest.UsageError(
            f"PostgreSQL at {_where()} cannot be reached ({problem}), and the tests must run "
            "on it (CI is set, or TEST_POSTGRES_URL names the server). Start the server "
            "(scripts/test starts the local one) or fix TEST_POSTGRES_URL."
        )
    skip = pytest.mark.skip(reason=f"no PostgreSQL server at {_where()}")
    for item in needing:
        item.add_marker(skip)
    config.stash[POSTGRES_SKIPPED] = (len(needing), problem)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    skipped = config.stash.get(POSTGRES_SKIPPED, None)
    if skipped is None:
        return
    count, problem = skipped
    terminalreporter.write_sep("=", "the PostgreSQL half was NOT run", yellow=True, bold=True)
    for line in (
        f"{count} tests need PostgreSQL and were skipped: no server at {_where()}",
        f"({problem}).",
        "Run everything with scripts/test (it starts the local PostgreSQL cluster), or name a",
        "server: TEST_POSTGRES_URL=postgresql+asyncpg://USER@HOST:PORT/postgres pytest",
        "(CI runs both halves, and stops if PostgreSQL cannot be reached.)",
    ):
        terminalreporter.write_line(line, yellow=True)
