"""What the outbox sends, rendered in each recipient's language, and the Telegram side of the
delivery worker (`bot.delivery` knows nothing of Telegram): sending, editing, and turning
Telegram's errors into the worker's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from markupsafe import escape
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.error import TelegramError

from bot import forums
from bot.buttons import Button
from bot.config import Settings
from bot.context import IdeApplication
from bot.delivery import REPORT, Limits, Worker
from bot.i18n import I18n, Translator
from bot.outgoing import Rendered
from bot.sender import Sender, translated
from handlers.application_notices import APPLICATION, REVIEW_CARD, render_application, render_card
from handlers.turn import REPLY, render_reply
from storage import applications, outbox
from storage import forums as repo
from storage.db import Database
from storage.forums import CANCELLED
from storage.models import Broadcast, Forum, Outbox, User
from storage.outbox import Counts

RSVP = "fr:"  # fr:<forum id>:y|n   "I'll come" / "Can't come"
CALENDAR = "fi:"  # fi:<forum id>     the .ics file
SUBSCRIPTION_KINDS = frozenset({forums.ANNOUNCEMENT, "newsletter"})  # need a subscription


def when(t: Translator, forum: Forum) -> str:
    """ "Thursday 18 March 2027, 18:00–20:30", in the reader's language and our zone."""
    start = t.datetime(forum.starts_at, "EEEE d MMMM y, HH:mm")
    same_day = forum.starts_at.astimezone(t.zone).date() == forum.ends_at.astimezone(t.zone).date()
    end = t.datetime(forum.ends_at, "HH:mm" if same_day else "EEEE d MMMM y, HH:mm")
    return f"{start}–{end}"


def forum_details(t: Translator, forum: Forum, *, description: bool = True) -> str:
    """Title, time, place, link, focus, places and deadline; a note when the text is not in
    the reader's language."""
    title, text, fell_back = forums.text_in(forum, t.language)
    lines = [f"<b>{escape(title)}</b>", t.pgettext("forums", "🗓 {when}", when=when(t, forum))]
    if forum.place:
        lines.append(t.pgettext("forums", "📍 {place}", place=forum.place))
    if forum.link:
        lines.append(t.pgettext("forums", "💻 Online: {link}", link=forum.link))
    if forum.focus:
        lines.append(t.pgettext("forums", "🎯 Focus: {focus}", focus=forum.focus))
    if forum.capacity:
        lines.append(t.npgettext("forums", "👥 {n} place", "👥 {n} places", forum.capacity))
    if forum.deadline:
        lines.append(
            t.pgettext(
                "forums", "⏳ Answer by {deadline}",
                deadline=t.datetime(forum.deadline, "d MMMM y, HH:mm"),
            )
        )  # fmt: skip
    parts = ["\n".join(lines)]
    if description and text:
        parts.append(str(escape(text)))
    if fell_back:
        parts.append(
            "<i>"
            + t.pgettext("forums", "There is no text in your language yet; this is the Swedish.")
            + "</i>"
        )
    return "\n\n".join(parts)


def rsvp_row(t: Translator, forum_id: int) -> tuple[Button, ...]:
    return (
        Button(t.pgettext("forums", "✅ I'll come"), f"{RSVP}{forum_id}:y"),
        Button(t.pgettext("forums", "✖ Can't come"), f"{RSVP}{forum_id}:n"),
    )


def calendar_row(t: Translator, forum_id: int) -> tuple[Button, ...]:
    return (Button(t.pgettext("forums", "📅 Add to calendar"), f"{CALENDAR}{forum_id}"),)


def render_forum_row(t: Translator, row: Outbox, forum: Forum) -> Rendered | None:
    """An invitation, reminder or notice about a forum, in the reader's language."""
    title = forums.text_in(forum, t.language)[0]
    details = forum_details(t, forum)
    if row.kind == forums.CANCELLED_NOTICE:
        text = t.pgettext(
            "forums", "❌ <b>Cancelled:</b> {title}, {when}. We are sorry.",
            title=title, when=when(t, forum),
        )  # fmt: skip
        return Rendered(t.directional(text))
    if forum.status == CANCELLED:
        return None
    buttons: tuple[tuple[Button, ...], ...]
    if row.kind == forums.ANNOUNCEMENT:
        heading = t.pgettext("forums", "📣 <b>You are invited to a dialogue forum</b>")
        buttons = (rsvp_row(t, forum.id), calendar_row(t, forum.id))
    elif row.kind == forums.REMINDER:
        heading = t.pgettext("forums", "⏰ <b>Reminder:</b> you said you will come.")
        buttons = (calendar_row(t, forum.id),)
    elif row.kind == forums.MOVED:
        old = datetime.fromisoformat(str((row.payload or {}).get("old_start")))
        heading = t.pgettext(
            "forums", "🔁 <b>New time.</b> The forum planned for {old} has moved. Can you come?",
            old=t.datetime(old, "EEEE d MMMM y, HH:mm"),
        )  # fmt: skip
        buttons = (rsvp_row(t, forum.id), calendar_row(t, forum.id))
    elif row.kind == forums.PLACE_CHANGED:
        heading = t.pgettext(
            "forums", "📍 <b>New place.</b> The forum has moved to another place; the time is "
            "the same.",
        )  # fmt: skip
        buttons = (calendar_row(t, forum.id),)
    elif row.kind == forums.PROMOTED:
        heading = t.pgettext(
            "forums", "🎉 <b>A place opened up:</b> you are now registered. Welcome!"
        )
        buttons = (calendar_row(t, forum.id),)
    else:
        return None
    return Rendered(t.directional(f"{heading}\n\n{details}"), buttons)


def render_newsletter(t: Translator, texts: Mapping[str, str]) -> Rendered:
    own = texts.get(t.language)
    body = own if own is not None else texts.get(forums.AUTHORITATIVE, "")
    parts = [t.pgettext("newsletter", "📰 <b>Newsletter</b>"), str(escape(body))]
    if own is None and t.language != forums.AUTHORITATIVE:
        parts.append(
            "<i>"
            + t.pgettext(
                "newsletter", "This newsletter is not in your language; it is in Swedish."
            )
            + "</i>"
        )
    return Rendered(t.directional("\n\n".join(parts)))


class TelegramChannel:
    """The delivery worker's messenger: renders rows and talks to the Bot API."""

    def __init__(self, sender: Sender, i18n: I18n) -> None:
        self.sender = sender
        self.i18n = i18n

    async def render(
        self, session: AsyncSession, rows: Sequence[Outbox], users: Mapping[int, User]
    ) -> dict[int, Rendered | None]:
        found = await repo.forums_by_id(session, {r.forum_id for r in rows if r.forum_id})
        letters = await repo.newsletters_by_id(
            session, {r.newsletter_id for r in rows if r.newsletter_id}
        )
        cards = await applications.applications_by_id(
            session, {_application_id(r) for r in rows if r.kind == REVIEW_CARD}
        )
        rendered: dict[int, Rendered | None] = {}
        for row in rows:
            user = users.get(row.recipient)
            if row.kind == REPLY:  # worded when its turn committed
                rendered[row.id] = render_reply(row.payload or {})
                continue
            if row.kind == REPORT:
                rendered[row.id] = await self._report(session, row)
                continue
            if row.kind == REVIEW_CARD:  # to staff, who may never have written to us
                application = cards.get(_application_id(row))
                rendered[row.id] = (
                    render_card(
                        self.i18n.translator(user.language if user else None),
                        application,
                        str((row.payload or {}).get("event", "")),
                    )
                    if application
                    else None
                )
                continue
            if user is None or (row.kind in SUBSCRIPTION_KINDS and not user.subscribed):
                rendered[row.id] = None  # consent withdrawn since the row was queued
                continue
            t = self.i18n.translator(user.language)
            forum = found.get(row.forum_id or 0)
            letter = letters.get(row.newsletter_id or 0)
            notice = render_application(t, row.payload or {}) if row.kind == APPLICATION else None
            if forum is not None:
                rendered[row.id] = render_forum_row(t, row, forum)
            elif letter is not None:
                rendered[row.id] = render_newsletter(t, letter.texts)
            elif notice is not None:
                rendered[row.id] = Rendered(t.directional(notice))
            else:
                rendered[row.id] = None
        return rendered

    def render_progress(self, broadcast: Broadcast, counts: Counts) -> Rendered:
        t = self.i18n.translator(broadcast.staff_language)
        text = t.pgettext(
            "delivery",
            "📤 Sending to {total}: {sent} sent, {pending} waiting, {failed} failed, "
            "{blocked} skipped (blocked or unsubscribed).",
            total=counts.total, sent=counts.sent, pending=counts.pending,
            failed=counts.failed, blocked=counts.blocked,
        )  # fmt: skip
        return Rendered(t.directional(text))

    async def _report(self, session: AsyncSession, row: Outbox) -> Rendered | None:
        found = await outbox.broadcasts(session, [int((row.payload or {}).get("broadcast", 0))])
        return (
            self.render_report(found[0], await outbox.counts(session, found[0])) if found else None
        )

    def render_report(self, broadcast: Broadcast, counts: Counts) -> Rendered:
        t = self.i18n.translator(broadcast.staff_language)
        text = t.pgettext(
            "delivery",
            "✅ <b>Done.</b> {sent} of {total} delivered; {failed} failed; {blocked} skipped "
            "(blocked or unsubscribed); {unknown} sent again after an interruption.",
            total=counts.total, sent=counts.sent, failed=counts.failed,
            blocked=counts.blocked, unknown=counts.unknown,
        )  # fmt: skip
        return Rendered(t.directional(text))

    async def send(self, chat_id: int, message: Rendered) -> int:
        return await self.sender.send(chat_id, message, bulk=True)

    async def edit(self, chat_id: int, message_id: int, message: Rendered) -> None:
        try:
            await self.sender.edit(chat_id, message_id, message)
        except TelegramError as error:
            raise translated(error) from error


def limits(settings: Settings) -> Limits:
    return Limits(
        rate=settings.delivery_rate,
        chat_rate=settings.delivery_chat_rate,
        deadlines=settings.delivery_deadlines,
        lease=settings.delivery_lease_seconds,
        poll=settings.delivery_poll_seconds,
    )


def schedule(settings: Settings) -> forums.Schedule:
    return forums.Schedule(settings.reminder_offsets, settings.reminder_audience)


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
        hooks=(forums.send_due_reminders,),
    )


def _application_id(row: Outbox) -> int:
    return int((row.payload or {}).get("application", 0))
