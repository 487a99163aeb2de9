"""Building the `Application`: one place that wires settings, storage, translations and
handlers together. Nothing is opened at import time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from telegram.ext import ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest

from bot.config import Settings
from bot.content import available_packs, load_pack
from bot.context import BotData, CustomContext, IdeApplication
from bot.i18n import I18n
from bot.knowledge import Knowledge
from bot.language_detection import Detector
from bot.metrics import Metrics
from bot.outgoing import RateLimiter
from bot.sender import Sender
from bot.updates import ChatOrderedProcessor
from handlers import (
    apply,
    ask,
    calendar,
    entries,
    errors,
    fallback,
    followup,
    followup_staff,
    forum_admin,
    forum_close,
    forum_feedback,
    forum_needs,
    forums,
    gaps,
    handover,
    language,
    links,
    minutes,
    newsletter,
    notices,
    principles,
    privacy,
    register,
    review,
    router,
    staff_links,
    start,
    subscriptions,
)
from handlers.commands import publish_commands
from storage import applications, migrate
from storage.db import Database
from storage.models import utcnow

log = logging.getLogger(__name__)

LOCAL_TOKEN = "0:local"  # noqa: S105  (not a secret: any token will do for the local Bot API)
# Order matters within group 0: `router` takes what no command or button took (text,
# files), `fallback` (registered after) the rest.
FEATURES = (
    links,  # before start: a /start with a token opens a link
    start,
    language,
    principles,
    entries,
    handover,
    gaps,
    subscriptions,
    forums,
    calendar,
    forum_admin,
    staff_links,
    forum_needs,
    forum_feedback,
    forum_close,
    minutes,
    newsletter,
    followup_staff,
    followup,
    ask,
    apply,
    review,
    register,
    privacy,
    router,
)


def build_application(
    settings: Settings, request: BaseRequest | None = None, *, knowledge: Knowledge | None = None
) -> IdeApplication:
    """The bot, talking to Telegram, or to whatever Bot API `request` answers for. The
    knowledge index is built at start unless one is given (tests build it once for all)."""
    token = settings.telegram_bot_token
    metrics = Metrics()
    builder = (
        ApplicationBuilder()
        .token(token.get_secret_value() if token else LOCAL_TOKEN)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .context_types(ContextTypes(context=CustomContext, bot_data=BotData))
        .concurrent_updates(ChatOrderedProcessor(settings.concurrent_updates, metrics))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app: IdeApplication = builder.build()  # type: ignore[assignment]
    app.bot_data.settings = settings
    app.bot_data.knowledge = knowledge
    app.bot_data.metrics = metrics
    for feature in (*FEATURES, fallback, errors):
        feature.register(app)
    return app


def build_knowledge(settings: Settings) -> Knowledge:
    """Every pack in the content folder; the configured one must be among them. Raises
    `ContentError`, naming the file and entry, if any is broken."""
    folder = settings.content_dir
    names = set(available_packs(folder)) | {settings.content_pack}
    return Knowledge({name: load_pack(name, folder) for name in sorted(names)})


async def _post_init(app: IdeApplication) -> None:
    settings = app.bot_data.settings
    assert settings is not None
    if app.bot_data.knowledge is None:  # a broken pack stops the start first
        app.bot_data.knowledge = build_knowledge(settings)
    db = Database.connect(settings.resolved_database_url)
    await migrate.upgrade(db.engine)
    async with db.transaction() as session:  # the retention promise made in the form
        cutoff = utcnow() - timedelta(days=settings.draft_retention_days)
        if purged := await applications.purge_drafts(session, cutoff):
            log.info(
                "deleted %d application drafts untouched for %d days",
                purged,
                settings.draft_retention_days,
            )
    app.bot_data.db = db
    app.bot_data.i18n = I18n(settings.default_language, settings.zone)
    app.bot_data.detector = Detector()
    limiter = RateLimiter(
        settings.delivery_rate, settings.delivery_chat_rate, settings.reply_chat_rate
    )
    sender = Sender(
        app.bot, limiter, reply_budget=settings.reply_budget_seconds, metrics=app.bot_data.metrics
    )
    app.bot_data.sender = sender
    app.bot_data.worker = notices.build_worker(app, db, app.bot_data.i18n, sender)
    if settings.delivery_worker:  # else tests (or another process) deliver
        app.bot_data.worker.start()
    await publish_commands(app.bot, app.bot_data.i18n)


async def _post_shutdown(app: IdeApplication) -> None:
    if app.bot_data.worker is not None:
        await app.bot_data.worker.stop()  # finishes its round: nothing left in flight
        app.bot_data.worker = None
    if app.bot_data.db is not None:
        await app.bot_data.db.close()
        app.bot_data.db = None


@asynccontextmanager
async def running(app: IdeApplication) -> AsyncIterator[IdeApplication]:
    """Start the application as `run_polling` would, minus the polling (console, tests)."""
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()
        if app.post_shutdown:
            await app.post_shutdown(app)
        await app.shutdown()
