"""What members see of a forum: its details in their language, the buttons under it ("I'll
come", "Can't come", "Add to calendar"), and each notice the outbox sends about it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import escape

from bot.buttons import Button, CallbackData
from bot.forums.notices import ForumNotice
from bot.forums.rules import LONG_DATE, text_in, when
from bot.i18n import LazyText, Translator, lazy_pgettext
from bot.outgoing import Rendered
from storage.forums import CANCELLED
from storage.models import Forum


@dataclass(frozen=True)
class RsvpButton(CallbackData):
    """ "I'll come" (`going`) or "Can't come"; packs as `fr:<forum id>:y|n`."""

    prefix = "fr"
    forum_id: int
    going: bool


@dataclass(frozen=True)
class CalendarButton(CallbackData):
    """ "Add to calendar": the forum's .ics file; packs as `fi:<forum id>`."""

    prefix = "fi"
    forum_id: int


def forum_details(t: Translator, forum: Forum, *, description: bool = True) -> str:
    """Title, time, place, link, focus, places and deadline; a note when the text is not in
    the reader's language."""
    title, text, fell_back = text_in(forum, t.language)
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
        deadline = t.datetime(forum.deadline, "d MMMM y, HH:mm")
        lines.append(t.pgettext("forums", "⏳ Answer by {deadline}", deadline=deadline))
    parts = ["\n".join(lines)]
    if description and text:
        parts.append(str(escape(text)))
    if fell_back:
        note = t.pgettext("forums", "There is no text in your language yet; this is the Swedish.")
        parts.append(f"<i>{note}</i>")
    return "\n\n".join(parts)


def rsvp_row(t: Translator, forum_id: int) -> tuple[Button, ...]:
    return (
        RsvpButton(forum_id, going=True).button(t.pgettext("forums", "✅ I'll come")),
        RsvpButton(forum_id, going=False).button(t.pgettext("forums", "✖ Can't come")),
    )


def calendar_row(t: Translator, forum_id: int) -> tuple[Button, ...]:
    return (CalendarButton(forum_id).button(t.pgettext("forums", "📅 Add to calendar")),)


HEADINGS: dict[ForumNotice, LazyText] = {
    ForumNotice.ANNOUNCEMENT: lazy_pgettext(
        "forums", "📣 <b>You are invited to a dialogue forum</b>"
    ),
    ForumNotice.REMINDER: lazy_pgettext("forums", "⏰ <b>Reminder:</b> you said you will come."),
    ForumNotice.MOVED: lazy_pgettext(
        "forums", "🔁 <b>New time.</b> The forum planned for {old} has moved. Can you come?"
    ),
    ForumNotice.PLACE_CHANGED: lazy_pgettext(
        "forums",
        "📍 <b>New place.</b> The forum has moved to another place; the time is the same.",
    ),
    ForumNotice.PROMOTED: lazy_pgettext(
        "forums", "🎉 <b>A place opened up:</b> you are now registered. Welcome!"
    ),
}  # a cancellation is worded on its own: it says what is no longer happening
ASKS_AGAIN = frozenset({ForumNotice.ANNOUNCEMENT, ForumNotice.MOVED})  # with "I'll come"


def forum_notice(
    t: Translator, kind: ForumNotice, forum: Forum, payload: Mapping[str, Any]
) -> Rendered | None:
    """A notice about `forum` in the reader's language; nothing (skipped) once the forum is
    cancelled, but the cancellation itself."""
    if kind is ForumNotice.CANCELLED:
        text = t.pgettext(
            "forums", "❌ <b>Cancelled:</b> {title}, {when}. We are sorry.",
            title=text_in(forum, t.language)[0], when=when(t, forum),
        )  # fmt: skip
        return Rendered(t.directional(text))
    if forum.status == CANCELLED:
        return None
    old = payload.get("old_start")
    old_start = t.datetime(datetime.fromisoformat(old), LONG_DATE) if old else ""
    heading = t.pgettext(*HEADINGS[kind], old=old_start)
    rows = (rsvp_row(t, forum.id),) if kind in ASKS_AGAIN else ()
    text = f"{heading}\n\n{forum_details(t, forum)}"
    return Rendered(t.directional(text), (*rows, calendar_row(t, forum.id)))
