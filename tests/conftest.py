"""Fixtures: a fresh database per test (SQLite and PostgreSQL), the local Bot API, and the
real Application started on them."""

from __future__ import annotations

import os

os.environ["PTB_TIMEDELTA"] = "1"  # python-telegram-bot's future behaviour: durations as timedelta
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.app import build_application, running
from bot.config import Settings
from bot.context import IdeApplication
from bot.local_api import LocalBotApi, LocalUser

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
ADMIN_ID = 900


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A throwaway PostgreSQL database, dropped afterwards."""
    admin = make_url(POSTGRES_URL)
    name = f"idebot_test_{uuid.uuid4().hex[:12]}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database of its own for each test, on each backend we support."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
        return
    async with postgres_database() as url:
        yield url


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """For what only PostgreSQL can do (several delivery workers at once)."""
    async with postgres_database() as url:
        yield url


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
        "reply_chat_rate": 1000,  # people in tests act far faster than anyone can type
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path)


@pytest.fixture
def api() -> LocalBotApi:
    return LocalBotApi()


@pytest.fixture
async def app(settings: Settings, api: LocalBotApi) -> AsyncIterator[IdeApplication]:
    async with running(build_application(settings, request=api)) as application:
        yield application


@pytest.fixture
def person(app: IdeApplication, api: LocalBotApi) -> Callable[..., LocalUser]:
    """Make a person who chats with the running bot."""

    def make(user_id: int = 1001, language_code: str | None = "sv", **kwargs: object) -> LocalUser:
        return LocalUser(api, app, user_id, language_code=language_code, **kwargs)  # type: ignore[arg-type]

    return make
