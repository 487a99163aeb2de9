"""/newsletter for staff: write it once in Swedish, add other languages if you like, see a
preview, and send it to every subscriber through the outbox."""

from __future__ import annotations

import functools
import logging
import re

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import newsletters
from bot.buttons import Button
from bot.config import SUPPORTED_LANGUAGES
from bot.context import CustomContext, IdeApplication
from bot.forums import AUTHORITATIVE, Staff
from bot.i18n import Translator, native_name
from handlers import staff
from handlers.fallback import answer_stale
from handlers.notices import render_newsletter
from handlers.turn import Turn, with_turn
from storage import forums as repo
from storage import outbox
from storage.models import Newsletter, StaffDraft

log = logging.getLogger(__name__)

NEWSLETTER = "nl:"  # nl:<action>:<id>[:<language>]
ACTION = re.compile(r"^nl:(add|send|go|drop):(\d{1,9})$")
LANGUAGE = re.compile(r"^nl:lang:(\d{1,9}):([a-z]{2})$")


@with_turn
async def newsletter_command(update: Update, context: CustomContext, turn: Turn) -> None:
    if not await staff.admit(update, context, turn) or update.effective_user is None:
        return
    await repo.start_draft(turn.session, update.effective_user.id, "newsletter", AUTHORITATIVE)
    turn.reply(
        turn.t.pgettext(
            "newsletter",
            "Write the newsletter in Swedish, as plain text. You can add other languages "
            "after the preview.",
        )
    )


async def take_text(context: CustomContext, turn: Turn, draft: StaffDraft, text: str) -> None:
    """The newsletter's text in the language the draft waits for."""
    found = (
        await repo.get_newsletter(turn.session, draft.newsletter_id)
        if draft.newsletter_id is not None
        else None
    )
    try:
        if found is None:
            letter = await newsletters.start(turn.session, text, draft.user_id)
        else:
            letter = found
            newsletters.add_language(letter, draft.step, text)
    except newsletters.NewsletterError as error:
        turn.reply(_problem(turn.t, error.code))
        return
    await repo.delete_draft(turn.session, draft.user_id)
    await preview(turn, letter, await repo.count_subscribers(turn.session))


async def preview(turn: Turn, letter: Newsletter, subscribers: int) -> None:
    t = turn.t
    shown = render_newsletter(t, letter.texts)
    languages = ", ".join(native_name(code) for code in sorted(letter.texts))
    heading = t.pgettext(
        "newsletter", "<b>Preview</b> (languages: {languages}):", languages=languages
    )
    send = t.npgettext(
        "newsletter", "📤 Send to {n} subscriber", "📤 Send to {n} subscribers", subscribers
    )
    rows = [
        (Button(t.pgettext("newsletter", "🌐 Add a language"), f"nl:add:{letter.id}"),),
        (Button(send, f"nl:send:{letter.id}"),),
        (Button(t.pgettext("newsletter", "🗑 Discard"), f"nl:drop:{letter.id}"),),
    ]
    turn.reply(heading)
    turn.reply(shown.text, rows)


@with_turn
async def newsletter_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    if query is None or not await staff.admit(update, context, turn):
        return
    match = ACTION.match(query.data or "")
    letter = await repo.get_newsletter(turn.session, int(match.group(2))) if match else None
    if match is None or letter is None or letter.sent_at is not None:
        answer_stale(turn)
        return
    turn.answer()
    turn.drop_buttons(NEWSLETTER)
    action, t = match.group(1), turn.t
    if action == "add":
        rows = [
            (Button(native_name(code), f"nl:lang:{letter.id}:{code}"),)
            for code in SUPPORTED_LANGUAGES
            if code != AUTHORITATIVE
        ]
        turn.reply(t.pgettext("newsletter", "Which language?"), rows)
    elif action == "send":
        yes = Button(t.pgettext("newsletter", "📤 Yes, send it"), f"nl:go:{letter.id}")
        turn.reply(t.pgettext("newsletter", "Send the newsletter now?"), [(yes,)])
    elif action == "go":
        await _send(update, context, turn, letter)
    else:  # discarded: nothing of it is kept
        await turn.session.delete(letter)
        turn.reply(t.pgettext("newsletter", "Discarded. Nothing was sent."))


async def _send(update: Update, context: CustomContext, turn: Turn, letter: Newsletter) -> None:
    chat = update.effective_chat
    staff = Staff(chat.id if chat else None, turn.t.language)
    broadcast = await newsletters.send(turn.session, letter, context.now(), staff)
    log.info("newsletter %s queued for %d subscribers", letter.id, broadcast.total)
    text = turn.t.npgettext(
        "newsletter", "📤 Queued for {n} subscriber. Progress will show here.",
        "📤 Queued for {n} subscribers. Progress will show here.", broadcast.total,
    )  # fmt: skip
    turn.reply(text, on_sent=functools.partial(outbox.watch_broadcast, broadcast.id))
    context.wake_worker()


@with_turn
async def language_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    if query is None or not await staff.admit(update, context, turn):
        return
    match = LANGUAGE.match(query.data or "")
    letter = await repo.get_newsletter(turn.session, int(match.group(1))) if match else None
    if match is None or letter is None or match.group(2) not in SUPPORTED_LANGUAGES:
        answer_stale(turn)
        return
    turn.answer()
    language = match.group(2)
    await repo.start_draft(
        turn.session, query.from_user.id, "newsletter", language, newsletter_id=letter.id
    )
    text = turn.t.pgettext(
        "newsletter", "Write the newsletter in {language}.", language=native_name(language)
    )
    turn.reply(text)


def _problem(t: Translator, code: str) -> str:
    if code == "too_long":
        return t.pgettext("newsletter", "That is too long for one message; please shorten it.")
    if code == "empty":
        return t.pgettext("newsletter", "The newsletter needs some text.")
    return t.pgettext("newsletter", "This newsletter has already been sent.")


def register(app: IdeApplication) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("newsletter", newsletter_command, filters=private))
    app.add_handler(CallbackQueryHandler(language_button, pattern=LANGUAGE))
    app.add_handler(CallbackQueryHandler(newsletter_button, pattern=ACTION))
