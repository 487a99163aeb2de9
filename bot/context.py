"""The typed context every handler receives: settings, database and translations."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.content import Pack
from bot.delivery import Worker
from bot.i18n import I18n
from bot.knowledge import Knowledge
from bot.language_detection import Detector
from bot.metrics import Metrics
from bot.sender import Sender
from storage.db import Database
from storage.models import utcnow


@dataclass
class BotData:
    """Services shared by all handlers. Settings are set when the application is built;
    the database, catalogs and knowledge index in `post_init` (the index may be given
    prebuilt instead: tests build it once), so nothing is opened at import time."""

    settings: Settings | None = None
    db: Database | None = None
    i18n: I18n | None = None
    knowledge: Knowledge | None = None
    detector: Detector | None = None
    sender: Sender | None = None  # everything said to Telegram goes through it
    worker: Worker | None = None  # the delivery worker (started unless DELIVERY_WORKER=false)
    clock: Callable[[], datetime] = utcnow  # tests move time by replacing it
    metrics: Metrics = field(default_factory=Metrics)  # this application's own counters


T = TypeVar("T")

UserData = dict[object, object]
ChatData = dict[object, object]


class CustomContext(CallbackContext[ExtBot[None], UserData, ChatData, BotData]):
    @property
    def settings(self) -> Settings:
        return _ready(self.bot_data.settings, "settings")

    @property
    def db(self) -> Database:
        return _ready(self.bot_data.db, "database")

    @property
    def i18n(self) -> I18n:
        return _ready(self.bot_data.i18n, "translations")

    @property
    def knowledge(self) -> Knowledge:
        return _ready(self.bot_data.knowledge, "knowledge index")

    @property
    def sender(self) -> Sender:
        return _ready(self.bot_data.sender, "sender")

    def wake_worker(self) -> None:
        """Rows were queued: tell this process's worker (it looks soon after this commit)."""
        worker = self.bot_data.worker
        if worker is not None:
            asyncio.get_running_loop().call_later(0.05, worker.wake)

    @property
    def metrics(self) -> Metrics:
        return self.bot_data.metrics

    @property
    def detector(self) -> Detector:
        return _ready(self.bot_data.detector, "language detector")

    def now(self) -> datetime:
        """The current time, in UTC (tests move it by replacing `bot_data.clock`)."""
        return self.bot_data.clock()

    @property
    def pack(self) -> Pack:
        """The agreement this bot explains (`CONTENT_PACK`)."""
        return self.knowledge.packs[self.settings.content_pack]


IdeApplication = Application[ExtBot[None], CustomContext, UserData, ChatData, BotData, None]


def _ready(value: T | None, what: str) -> T:
    if value is None:
        raise RuntimeError(f"the application's {what} are not set up yet (post_init has not run)")
    return value
