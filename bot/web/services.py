"""What the web side takes from the running bot (set up in its `post_init`)."""

from __future__ import annotations

from typing import TypeVar

from bot.config import Settings
from bot.context import IdeApplication
from bot.i18n import I18n
from storage.db import Database

T = TypeVar("T")


def settings_of(bot: IdeApplication) -> Settings:
    return _ready(bot.bot_data.settings, "settings")


def db_of(bot: IdeApplication) -> Database:
    return _ready(bot.bot_data.db, "database")


def i18n_of(bot: IdeApplication) -> I18n:
    return _ready(bot.bot_data.i18n, "translations")


def _ready(value: T | None, what: str) -> T:
    if value is None:
        raise RuntimeError(f"the bot's {what} are not set up (it has not started, or stopped)")
    return value
