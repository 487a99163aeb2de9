"""The Telegram side of the delivery worker (`bot.delivery` knows nothing of Telegram): the
one registry of outbox kinds, each with whether it needs a subscription and how it is
rendered in its recipient's language, and sending, editing and Telegram's errors."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.context import IdeApplication
from bot.delivery import REPORT, Limits, Worker
from bot.followup import rounds as followup_rounds
from bot.forums import feedback, minutes, needs, reminders
from bot.forums.notices import ForumNotice
from bot.i18n import I18n, Translator
from bot.newsletters import KIND as NEWSLETTER
from bot.outgoing import Rendered
from bot.sender import Sender
from handlers import followup
from handlers.application_notices import APPLICATION, REVIEW_CARD, render_application, render_card
from handlers.forum_feedback import render_request as render_feedback
from handlers.forum_needs import render_summary as render_needs
from handlers.forum_notices import forum_notice
from handlers.minutes import render_minutes
from handlers.newsletter import render_newsletter
from handlers.turn import REPLY, render_reply
from storage import applications, outbox
from storage import forums as repo
from storage.db import Database
from storage.models import Application, Broadcast, Forum, Newsletter, Outbox, User
from storage.outbox import Counts

log = logging.getLogger(__name__)


class Batch:
    """What one round's rows refer to: each kind of thing loaded once for all the rows,
    when the first renderer asks for it."""

    def __init__(self, session: AsyncSession, rows: Sequence[Outbox], i18n: I18n) -> None:
        self.session, self.rows, self.i18n = session, rows, i18n
        self._forums: dict[int, Forum] | None = None
        self._letters: dict[int, Newsletter] | None = None
        self._applications: dict[int, Application] | None = None

    async def forum(self, row: Outbox) -> Forum | None:
        if self._forums is None:
            wanted = {r.forum_id for r in self.rows if r.forum_id}
            self._forums = await repo.forums_by_id(self.session, wanted)
        return self._forums.get(row.forum_id or 0)

    async def newsletter(self, row: Outbox) -> Newsletter | None:
        if self._letters is None:
            wanted = {r.newsletter_id for r in self.rows if r.newsletter_id}
            self._letters = await repo.newsletters_by_id(self.session, wanted)
        return self._letters.get(row.newsletter_id or 0)

    async def application(self, row: Outbox) -> Application | None:
        """The application a reviewer's card is about (named in its payload)."""
        if self._applications is None:
            wanted = {_application_id(r) for r in self.rows if r.kind == REVIEW_CARD}
            self._applications = await applications.applications_by_id(self.session, wanted)
        return self._applications.get(_application_id(row))


def _application_id(row: Outbox) -> int:
    return int((row.payload or {}).get("application", 0))


Renderer = Callable[[Outbox, Translator, Batch], Awaitable[Rendered | None]]


@dataclass(frozen=True)
class OutboxKind:
    """How rows of one kind are sent. `render` words a row for its recipient (None: skip
    it). Rows `for_members` go only to people we know (skipped once they are gone); with
    `subscription`, only while they are subscribed (consent can be withdrawn after the row
    was queued)."""

    name: str
    render: Renderer
    subscription: bool = False
    for_members: bool = True


async def _forum(row: Outbox, t: Translator, batch: Batch) -> Rendered | None:
    forum = await batch.forum(row)
    return forum_notice(t, ForumNotice(row.kind), forum, row.payload or {}) if forum else None


async def _needs(row: Outbox, t: Translator, batch: Batch) -> Rendered | None:
    """Staff's summary of access needs, with the figures of the moment it is sent."""
    forum = await batch.forum(row)
    if forum is None:
        return None
    return render_needs(t, forum, await needs.summary(batch.session, forum.id))


async def _feedback(row: Outbox, t: Translator, batch: Batch) -> Rendered | None:
    forum = await batch.forum(row)
    return render_feedback(t, forum) if forum else None


async def _minutes(row: Outbox, t: Translator, batch: Batch) -> Rendered | None:
    forum = await batch.forum(row)
    return render_minutes(t, forum) if forum else None


async def _newsletter(row: Outbox, t: Translator, batch: Batch) -> Rendered | None:
    letter = await batch.newsletter(row)
    return render_newsletter(t, letter.texts) if letter else None


async def _application(row: Outbox, t: Translator, batch: Batch) -> Rendered | None:
    text = render_application(t, row.payload or {})
    return Rendered(t.directional(text)) if text else None


async def _review_card(row: Outbox, t: Translator, batch: Batch) -> Rendered | None:
    found = await batch.application(row)
    event = str((row.payload or {}).get("event", ""))
    return render_card(t, found, event) if found else None


async def _reply(row: Outbox, t: Translator, batch: Batch) -> Rendered | None:
    return render_reply(row.payload or {})  # worded when its turn committed


async def _report(row: Outbox, t: Translator, batch: Batch) -> Rendered | None:
    """A broadcast's final report, in the language of the staff member who started it."""
    found = await outbox.broadcasts(batch.session, [int((row.payload or {}).get("broadcast", 0))])
    if not found:
        return None
    counts = await outbox.counts(batch.session, found[0])
    return render_report(batch.i18n.translator(found[0].staff_language), counts)


KINDS: dict[str, OutboxKind] = {
    kind.name: kind
    for kind in (
        OutboxKind(ForumNotice.ANNOUNCEMENT, _forum, subscription=True),
        OutboxKind(ForumNotice.REMINDER, _forum),  # to those coming, subscribed or not
        OutboxKind(ForumNotice.MOVED, _forum),
        OutboxKind(ForumNotice.PLACE_CHANGED, _forum),
        OutboxKind(ForumNotice.CANCELLED, _forum),
        OutboxKind(ForumNotice.PROMOTED, _forum),
        OutboxKind(needs.KIND, _needs, for_members=False),  # to staff
        OutboxKind(feedback.KIND, _feedback),
        OutboxKind(minutes.KIND, _minutes),  # to those who came, subscribed or not
        OutboxKind(NEWSLETTER, _newsletter, subscription=True),
        OutboxKind(APPLICATION, _application),
        OutboxKind(REVIEW_CARD, _review_card, for_members=False),  # staff may never have written
        OutboxKind(REPLY, _reply, for_members=False),
        OutboxKind(REPORT, _report, for_members=False),
        # To an organisation's contact (checked against the answer row when rendered).
        OutboxKind(followup_rounds.INVITATION, followup.render_invitation, for_members=False),
        OutboxKind(followup_rounds.REMINDER, followup.render_reminder, for_members=False),
    )
}


def render_progress(t: Translator, counts: Counts) -> Rendered:
    text = t.pgettext(
        "delivery",
        "📤 Sending to {total}: {sent} sent, {pending} waiting, {failed} failed, "
        "{blocked} skipped (blocked or unsubscribed).",
        total=counts.total, sent=counts.sent, pending=counts.pending,
        failed=counts.failed, blocked=counts.blocked,
    )  # fmt: skip
    return Rendered(t.directional(text))


def render_report(t: Translator, counts: Counts) -> Rendered:
    text = t.pgettext(
        "delivery",
        "✅ <b>Done.</b> {sent} of {total} delivered; {failed} failed; {blocked} skipped "
        "(blocked or unsubscribed); {unknown} sent again after an interruption.",
        total=counts.total, sent=counts.sent, failed=counts.failed,
        blocked=counts.blocked, unknown=counts.unknown,
    )  # fmt: skip
    return Rendered(t.directional(text))


class TelegramChannel:
    """The delivery worker's messenger: renders rows and talks to the Bot API."""

    def __init__(self, sender: Sender, i18n: I18n) -> None:
        self.sender = sender
        self.i18n = i18n

    async def render(
        self, session: AsyncSession, rows: Sequence[Outbox], users: Mapping[int, User]
    ) -> dict[int, Rendered | None]:
        batch = Batch(session, rows, self.i18n)
        return {row.id: await self._render(row, users.get(row.recipient), batch) for row in rows}

    async def _render(self, row: Outbox, user: User | None, batch: Batch) -> Rendered | None:
        kind = KINDS.get(row.kind)
        if kind is None:
            log.error("outbox %s has a kind nobody renders: %r", row.id, row.kind)
            return None
        if kind.for_members and (user is None or (kind.subscription and not user.subscribed)):
            return None  # gone, or consent withdrawn since the row was queued
        return await kind.render(row, self.i18n.translator(user.language if user else None), batch)

    def render_progress(self, broadcast: Broadcast, counts: Counts) -> Rendered:
        return render_progress(self.i18n.translator(broadcast.staff_language), counts)

    async def send(self, chat_id: int, message: Rendered) -> int:
        return await self.sender.send(chat_id, message, bulk=True)

    async def edit(self, chat_id: int, message_id: int, message: Rendered) -> None:
        await self.sender.edit(chat_id, message_id, message)


def limits(settings: Settings) -> Limits:
    return Limits(
        rate=settings.delivery_rate,
        chat_rate=settings.delivery_chat_rate,
        deadlines=settings.delivery_deadlines,
        lease=settings.delivery_lease_seconds,
        poll=settings.delivery_poll_seconds,
    )


def build_worker(app: IdeApplication, db: Database, i18n: I18n, sender: Sender) -> Worker:
    """The delivery worker for this process (started unless `DELIVERY_WORKER` is off;
    tests drive it round by round). It shares the sender's limits with the replies."""
    settings = app.bot_data.settings
    assert settings is not None
    return Worker(
        db,
        TelegramChannel(sender, i18n),
        limits(settings),
        clock=lambda: app.bot_data.clock(),  # noqa: PLW0108  (tests replace the clock)
        single=db.engine.dialect.name == "sqlite",
        limiter=sender.limiter,
        hooks=(
            functools.partial(reminders.send_due, staff=settings.admin_ids),
            followup_rounds.send_due,
        ),
    )
