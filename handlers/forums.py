"""Dialogue forums for members: /forums with your own answer, "I'll come" / "Can't come"
(with capacity and a waitlist), and "Add to calendar" (an .ics file)."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import forums, ical
from bot.buttons import Button
from bot.context import CustomContext, IdeApplication
from bot.i18n import Translator
from handlers import notices
from handlers.fallback import answer_stale
from handlers.menu import Menu, MenuItem
from handlers.notices import CALENDAR, RSVP, calendar_row, forum_details, rsvp_row
from handlers.turn import Turn, with_turn
from storage import forums as repo
from storage.forums import CANCELLED, DRAFT, GOING, NOT_GOING, WAITLIST
from storage.models import Forum, Rsvp

MANAGE = "fa:"  # fa:<forum id>   staff: the forum's admin card (checked server-side there)
RSVP_DATA = re.compile(rf"^{RSVP}(\d{{1,9}}):([yn])$")
CALENDAR_DATA = re.compile(rf"^{CALENDAR}(\d{{1,9}})$")


def own_answer(t: Translator, rsvp: Rsvp | None, position: int = 0) -> str:
    if rsvp is None:
        return t.pgettext("forums", "You have not answered yet.")
    if rsvp.status == GOING:
        return t.pgettext("forums", "✅ You said you will come.")
    if rsvp.status == WAITLIST:
        return t.pgettext(
            "forums", "⏳ You are number {position} on the waitlist.", position=position
        )
    return t.pgettext("forums", "✖ You said you cannot come.")


async def show_forums(context: CustomContext, turn: Turn, user_id: int) -> None:
    """One message per upcoming forum, with the person's own answer and the buttons."""
    staff = context.settings.is_admin(user_id)
    found = await repo.upcoming(turn.session, context.now(), drafts=staff)
    if not found:
        turn.reply(
            turn.t.pgettext(
                "forums", "No dialogue forums are planned right now. /subscribe to be invited."
            )
        )
        return
    answers = await repo.answers_of(turn.session, user_id, [f.id for f in found])
    for forum in found:
        mine = answers.get(forum.id)
        position = await repo.waitlist_position(turn.session, mine) if mine else 0
        text = forum_details(turn.t, forum, description=False)
        rows: list[tuple[Button, ...]] = []
        if forum.status == DRAFT:
            text = turn.t.pgettext("forums", "📝 Draft, not published") + "\n" + text
        else:
            text += "\n\n" + own_answer(turn.t, mine, position)
            rows += [rsvp_row(turn.t, forum.id), calendar_row(turn.t, forum.id)]
        if staff:
            rows.append((Button(turn.t.pgettext("forums", "⚙ Manage"), f"{MANAGE}{forum.id}"),))
        turn.reply(text, rows)


@with_turn
async def forums_command(update: Update, context: CustomContext, turn: Turn) -> None:
    if update.effective_user:
        await show_forums(context, turn, update.effective_user.id)


@with_turn
async def forums_menu_button(update: Update, context: CustomContext, turn: Turn) -> None:
    if update.callback_query and update.effective_user:
        turn.answer()
        await show_forums(context, turn, update.effective_user.id)


@with_turn
async def rsvp_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    match = RSVP_DATA.match(query.data or "") if query else None
    if query is None or match is None or query.from_user is None:
        answer_stale(turn)
        return
    forum_id, going = int(match.group(1)), match.group(2) == "y"
    forum, result = await forums.answer(
        turn.session, forum_id, query.from_user.id, going, context.now()
    )
    if forum is None:
        answer_stale(turn)
        return
    if result.promoted is not None:
        context.wake_worker()
    popup, text = _answer_texts(turn.t, forum, result)
    turn.answer(popup, alert=text is None)
    if text is not None:
        rows = [calendar_row(turn.t, forum.id)] if result.status in {GOING, WAITLIST} else []
        turn.reply(text, rows)


def _answer_texts(t: Translator, forum: Forum, result: forums.Answer) -> tuple[str, str | None]:
    """The pop-up, and the message (None: the pop-up says it all)."""
    title = forums.text_in(forum, t.language)[0]
    if result.status == GOING:
        return t.pgettext("forums", "See you there!"), t.pgettext(
            "forums", "✅ You are registered for <b>{title}</b>, {when}. I will remind you.",
            title=title, when=notices.when(t, forum),
        )  # fmt: skip
    if result.status == WAITLIST:
        return t.pgettext("forums", "The forum is full."), t.pgettext(
            "forums", "⏳ <b>{title}</b> is full. You are number {position} on the waitlist; "
            "I will tell you if a place opens up.", title=title, position=result.position,
        )  # fmt: skip
    if result.status == NOT_GOING:
        return t.pgettext("forums", "Thank you for telling us."), t.pgettext(
            "forums", "Noted: you cannot come to <b>{title}</b>. If that changes, press "
            "“I'll come” while registration is open.", title=title,
        )  # fmt: skip
    if result.status == "closed":
        return t.pgettext("forums", "Registration for this forum has closed."), None
    if result.status == CANCELLED:
        return t.pgettext("forums", "This forum has been cancelled."), None
    return t.pgettext("forums", "This forum has already taken place."), None


@with_turn
async def calendar_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    match = CALENDAR_DATA.match(query.data or "") if query else None
    forum = await repo.get_forum(turn.session, int(match.group(1))) if match else None
    chat = update.effective_chat
    if query is None or forum is None or forum.status == DRAFT or chat is None:
        answer_stale(turn)
        return
    turn.answer()
    data = ical.forum_ics(forum, turn.t.language, context.settings.zone, context.now())
    caption = turn.t.pgettext(
        "forums", "📅 Open the file to add <b>{title}</b> to your calendar.",
        title=forums.text_in(forum, turn.t.language)[0],
    )  # fmt: skip
    turn.document((f"forum-{forum.id}.ics", data), caption)


def register(app: IdeApplication) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("forums", forums_command, filters=private))
    app.add_handler(
        CallbackQueryHandler(forums_menu_button, pattern=Menu(MenuItem.FORUMS).pressed)
    )
    app.add_handler(CallbackQueryHandler(rsvp_button, pattern=f"^{RSVP}"))
    app.add_handler(CallbackQueryHandler(calendar_button, pattern=f"^{CALENDAR}"))
