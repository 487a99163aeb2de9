"""Links that open the bot from outside the chat (`/start <token>`): a forum's invitation
(its card with the answer buttons, for anyone, subscribed or not), its check-in at the
door, and an organisation's contact link. Opening an invitation keeps nothing about the
person; answering it, checking in or connecting does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import contacts
from bot.buttons import Button, CallbackData
from bot.context import CustomContext, IdeApplication
from bot.forums import door
from bot.forums import links as forum_links
from bot.forums.door import Door
from bot.forums.notices import ForumNotice
from bot.forums.rules import text_in
from bot.i18n import Translator, lazy_pgettext
from bot.links import LinkKind
from handlers.forum_notices import (
    HEADINGS,
    LONG_DATE,
    calendar_row,
    forum_details,
    forum_notice,
    rsvp_row,
)
from handlers.forums import own_answer
from handlers.menu import main_menu
from handlers.turn import Turn, with_turn
from storage import forums as repo
from storage import links
from storage.models import Forum, Link
from storage.privacy import StoredData

CHECKED = {
    Door.CHECKED_IN: lazy_pgettext(
        "forum links", "✅ Welcome to <b>{title}</b>! You are checked in."
    ),
    Door.ALREADY: lazy_pgettext(
        "forum links", "You are already checked in to <b>{title}</b>. Welcome!"
    ),
    Door.TOO_EARLY: lazy_pgettext(
        "forum links",
        "Check-in for <b>{title}</b> opens {opens}, an hour before the start. "
        "Please open the link again then.",
    ),
    Door.ENDED: lazy_pgettext("forum links", "<b>{title}</b> has ended, so check-in is closed."),
}


@dataclass(frozen=True)
class ContactButton(CallbackData):
    """ "Connect me as the contact person": yes or no, naming the link that offered it;
    packs as `lkc:<link id>:y|n`."""

    prefix = "lkc"
    link_id: int
    yes: bool


def not_working(turn: Turn) -> None:
    text = turn.t.pgettext(
        "forum links",
        "This link does not work (any more). Ask whoever gave it to you for a new one; "
        "upcoming dialogue forums are under /forums.",
    )
    turn.reply(text, main_menu(turn.t))


@with_turn
async def open_link(update: Update, context: CustomContext, turn: Turn) -> None:
    """`/start <token>`: what the link opens, in the opener's language."""
    token = context.args[0] if context.args and len(context.args) == 1 else ""
    link = await links.find(turn.session, token)
    opener = OPENERS.get(link.kind) if link is not None else None
    if link is None or opener is None:
        not_working(turn)
        return
    await opener(context, turn, link)


async def _invitation(context: CustomContext, turn: Turn, link: Link) -> None:
    forum = await forum_links.forum_of(turn.session, link)
    if forum is None:
        not_working(turn)
        return
    t, now = turn.t, context.now()
    if forum.status == repo.CANCELLED or forum.ends_at < now:
        turn.reply(_gone(t, forum), main_menu(t))
        return
    text = f"{t.lazy(HEADINGS[ForumNotice.ANNOUNCEMENT])}\n\n{forum_details(t, forum)}"
    rows: list[tuple[Button, ...]] = []
    if forum.starts_at > now:
        mine = (
            await repo.get_rsvp(turn.session, forum.id, turn.user.telegram_id)
            if turn.user
            else None
        )
        position = await repo.waitlist_position(turn.session, mine) if mine else 0
        if mine is not None:
            text += "\n\n" + own_answer(t, mine, position)
        rows.append(rsvp_row(t, forum.id))
    else:
        text += "\n\n" + t.pgettext("forum links", "▶ The forum is under way now.")
    rows.append(calendar_row(t, forum.id))
    turn.reply(text, rows)


def _gone(t: Translator, forum: Forum) -> str:
    """A cancelled forum, or one that has taken place."""
    if forum.status == repo.CANCELLED:
        notice = forum_notice(t, ForumNotice.CANCELLED, forum, {})
        assert notice is not None  # a cancellation is always worded
        return notice.text
    return (
        t.pgettext("forums", "This forum has already taken place.")
        + "\n\n"
        + forum_details(t, forum, description=False)
    )


async def _check_in(context: CustomContext, turn: Turn, link: Link) -> None:
    forum = await forum_links.forum_of(turn.session, link)
    if forum is None:
        not_working(turn)
        return
    t = turn.t
    state = door.door_state(forum, context.now())
    if state is Door.CANCELLED:
        turn.reply(_gone(t, forum), main_menu(t))
        return
    if state is None:
        person = await turn.keep_user()  # who came: for the feedback asked the day after
        state = await door.check_in(turn.session, forum, person.telegram_id)
    opens = t.datetime(door.window(forum)[0], LONG_DATE)
    title = text_in(forum, t.language)[0]
    turn.reply(t.pgettext(*CHECKED[state], title=title, opens=opens))


async def _contact(context: CustomContext, turn: Turn, link: Link) -> None:
    member = await contacts.offered(turn.session, link)
    if member is None:
        not_working(turn)
        return
    t = turn.t
    text = t.pgettext(
        "forum links",
        "Connect your Telegram account as the contact person of <b>{org}</b>?\n\n"
        "The municipality then sends you, here, the yearly follow-up of the agreement for "
        "the organisation. An organisation has one contact person: this replaces anyone "
        "connected before. You can undo it with /deletemydata.",
        org=member.name,
    )
    turn.reply(
        text,
        [(
            ContactButton(link.id, yes=True).button(t.pgettext("forum links", "✅ Connect me")),
            ContactButton(link.id, yes=False).button(t.pgettext("forum links", "No")),
        )],
    )  # fmt: skip


OPENERS: dict[str, Callable[[CustomContext, Turn, Link], Awaitable[None]]] = {
    LinkKind.FORUM: _invitation,
    LinkKind.CHECKIN: _check_in,
    LinkKind.MEMBER: _contact,
}


@with_turn
async def contact_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = ContactButton.parse(query.data if query else None)
    if button is None:
        return
    t = turn.t
    if not button.yes:
        turn.edit(t.pgettext("forum links", "Nothing was changed."))
        return
    person = await turn.keep_user()  # the organisation's contact: told of the follow-up
    connected = await contacts.connect(
        turn.session, button.link_id, person.telegram_id, context.now()
    )
    if connected is None:
        turn.edit(
            t.pgettext(
                "forum links",
                "This link does not work any more: it has been used or replaced. Ask the "
                "municipality for a new one.",
            )
        )
        return
    turn.edit(
        t.pgettext(
            "forum links",
            "✅ You are now the contact person of <b>{org}</b>. The municipality will send "
            "you the yearly follow-up of the agreement here. To stop, send /deletemydata.",
            org=connected.member.name,
        )
    )


def register(app: IdeApplication) -> None:
    private = filters.ChatType.PRIVATE
    # Before /start's own handler: a /start with a token is a link being opened.
    app.add_handler(CommandHandler("start", open_link, filters=private, has_args=True))
    app.add_handler(CallbackQueryHandler(contact_button, pattern=ContactButton.matches))


def links_overview(t: Translator, data: StoredData) -> list[str]:
    """For /mydata: the organisations the person is the contact of, the forums they came to."""
    lines = []
    if data.contact_of:
        lines.append(
            t.pgettext(
                "forum links",
                "You are the contact person of: {organisations}. The municipality sends you "
                "their yearly follow-up.",
                organisations=", ".join(data.contact_of),
            )
        )
    if data.checked_in:
        forums = ", ".join(
            f"{text_in(forum, t.language)[0]} ({t.datetime(forum.starts_at, 'd MMMM y')})"
            for forum in data.checked_in
        )
        lines.append(
            t.npgettext(
                "forum links",
                "You checked in at {n} dialogue forum: {forums}.",
                "You checked in at {n} dialogue forums: {forums}.",
                len(data.checked_in),
                forums=forums,
            )
        )
    return lines
