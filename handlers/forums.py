"""Dialogue forums for members: /forums with your own answer, "I'll come" / "Can't come"
(with capacity and a waitlist), and "Add to calendar" (an .ics file)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import ical
from bot.buttons import Button, Rows
from bot.context import CustomContext, IdeApplication
from bot.forums import needs, rsvp
from bot.forums.rsvp import Answer, Outcome
from bot.forums.rules import text_in
from bot.i18n import LazyText, Translator, lazy_pgettext
from handlers import forum_needs
from handlers.fallback import answer_stale
from handlers.forum_admin import ForumAction, ForumAdminButton
from handlers.forum_notices import (
    CalendarButton,
    RsvpButton,
    calendar_row,
    forum_details,
    rsvp_row,
    when,
)
from handlers.menu import Menu, MenuItem
from handlers.turn import Turn, with_turn
from storage import forums as repo
from storage.forums import CANCELLED, DRAFT, GOING, WAITLIST
from storage.models import Forum, Rsvp

# After an answer: the pop-up, and the message (None: the pop-up says it all).
ANSWERED: dict[Outcome, tuple[LazyText, LazyText | None]] = {
    Outcome.GOING: (
        lazy_pgettext("forums", "See you there!"),
        lazy_pgettext(
            "forums", "✅ You are registered for <b>{title}</b>, {when}. I will remind you."
        ),
    ),
    Outcome.WAITLIST: (
        lazy_pgettext("forums", "The forum is full."),
        lazy_pgettext(
            "forums",
            "⏳ <b>{title}</b> is full. You are number {position} on the waitlist; "
            "I will tell you if a place opens up.",
        ),
    ),
    Outcome.NOT_GOING: (
        lazy_pgettext("forums", "Thank you for telling us."),
        lazy_pgettext(
            "forums",
            "Noted: you cannot come to <b>{title}</b>. If that changes, press "
            "“I'll come” while registration is open.",
        ),
    ),
    Outcome.CLOSED: (lazy_pgettext("forums", "Registration for this forum has closed."), None),
    Outcome.CANCELLED: (lazy_pgettext("forums", "This forum has been cancelled."), None),
    Outcome.PAST: (lazy_pgettext("forums", "This forum has already taken place."), None),
}  # Outcome.MISSING: the button was stale or forged


def own_answer(t: Translator, mine: Rsvp | None, position: int = 0) -> str:
    if mine is None:
        return t.pgettext("forums", "You have not answered yet.")
    if mine.status == GOING:
        return t.pgettext("forums", "✅ You said you will come.")
    if mine.status == WAITLIST:
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
        turn.reply(*_listed(turn.t, forum, mine, position, staff=staff))


def _listed(
    t: Translator, forum: Forum, mine: Rsvp | None, position: int, *, staff: bool
) -> tuple[str, list[tuple[Button, ...]]]:
    """A forum in /forums: a draft (staff only) as such, else with the person's answer."""
    text = forum_details(t, forum, description=False)
    rows: list[tuple[Button, ...]] = []
    if forum.status == DRAFT:
        text = t.pgettext("forums", "📝 Draft, not published") + "\n" + text
    else:
        text += "\n\n" + own_answer(t, mine, position)
        rows += [rsvp_row(t, forum.id), calendar_row(t, forum.id)]
        if mine is not None and mine.status in {GOING, WAITLIST}:
            rows.append(forum_needs.change_row(t, forum.id))
    if staff:
        manage = ForumAdminButton(ForumAction.CARD, forum.id)
        rows.append((manage.button(t.pgettext("forums", "⚙ Manage")),))
    return text, rows


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
    button = RsvpButton.parse(query.data if query else None)
    if query is None or button is None:
        return
    await turn.keep_user()  # to be reminded, told of a new time, or of a place freed
    forum, result = await rsvp.answer(
        turn.session, button.forum_id, query.from_user.id, button.going, context.now()
    )
    if forum is None:
        answer_stale(turn)
        return
    if result.promoted is not None:
        context.wake_worker()
    asks = not result.again and needs.should_ask(  # once: answers stay through "Can't come"
        await repo.get_rsvp(turn.session, forum.id, query.from_user.id)
    )
    _tell_answer(turn, forum, result, forum_needs.question(turn.t, forum) if asks else None)


def _tell_answer(
    turn: Turn, forum: Forum, result: Answer, question: tuple[str, Rows] | None = None
) -> None:
    """The answer, and under it the `question` about access needs, if it is asked."""
    t = turn.t
    popup, message = ANSWERED[result.outcome]
    turn.answer(t.lazy(popup), alert=message is None)
    if message is None:
        return
    title = text_in(forum, t.language)[0]
    text = t.pgettext(*message, title=title, when=when(t, forum), position=result.position)
    coming = result.outcome in {Outcome.GOING, Outcome.WAITLIST}
    rows: list[Sequence[Button]] = [calendar_row(t, forum.id)] if coming else []
    if question is not None:
        text, rows = f"{text}\n\n{question[0]}", [*rows, *question[1]]
    turn.reply(text, rows)


@with_turn
async def calendar_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = CalendarButton.parse(query.data if query else None)
    forum = await repo.get_forum(turn.session, button.forum_id) if button else None
    if forum is None or forum.status == DRAFT:
        answer_stale(turn)
        return
    if forum.status == CANCELLED:  # no calendar entry for what will not take place
        turn.answer(turn.t.pgettext("forums", "This forum has been cancelled."), alert=True)
        return
    turn.answer()
    data = ical.forum_ics(forum, turn.t.language, context.settings.zone, context.now())
    caption = turn.t.pgettext(
        "forums", "📅 Open the file to add <b>{title}</b> to your calendar.",
        title=text_in(forum, turn.t.language)[0],
    )  # fmt: skip
    turn.document((f"forum-{forum.id}.ics", data), caption)


def register(app: IdeApplication) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("forums", forums_command, filters=private))
    app.add_handler(
        CallbackQueryHandler(forums_menu_button, pattern=Menu(MenuItem.FORUMS).pressed)
    )
    app.add_handler(CallbackQueryHandler(rsvp_button, pattern=RsvpButton.matches))
    app.add_handler(CallbackQueryHandler(calendar_button, pattern=CalendarButton.matches))
