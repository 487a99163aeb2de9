"""/newsletter for staff: write it once in Swedish, add other languages if you like, see a
preview, and send it to every subscriber through the outbox."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from markupsafe import escape
from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import newsletters
from bot.buttons import SEPARATOR, CallbackData
from bot.context import CustomContext, IdeApplication
from bot.conversations import Flow
from bot.forums.notices import Staff
from bot.forums.rules import AUTHORITATIVE, OtherLanguage
from bot.i18n import LazyText, Translator, lazy_pgettext, native_name
from bot.newsletters import NewsletterError, NewsletterProblem
from bot.outgoing import Rendered
from handlers import staff
from handlers.fallback import answer_stale
from handlers.turn import Turn, with_turn
from storage import conversations, outbox
from storage import forums as repo
from storage.models import Conversation, Newsletter

log = logging.getLogger(__name__)


class NewsletterAction(StrEnum):
    ADD = "add"  # asks which language
    SEND = "send"  # asks to confirm
    GO = "go"  # sends
    DROP = "drop"  # discards


@dataclass(frozen=True)
class NewsletterButton(CallbackData):
    """A button under a newsletter's preview; packs as `nl:<action>:<newsletter id>`."""

    prefix = "nl"
    action: NewsletterAction
    newsletter_id: int


@dataclass(frozen=True)
class NewsletterLanguageButton(CallbackData):
    """The language to add; packs as `nll:<newsletter id>:<language>`."""

    prefix = "nll"
    newsletter_id: int
    language: OtherLanguage


PROBLEMS: dict[NewsletterProblem, LazyText] = {
    NewsletterProblem.EMPTY: lazy_pgettext("newsletter", "The newsletter needs some text."),
    NewsletterProblem.TOO_LONG: lazy_pgettext(
        "newsletter", "That is too long for one message; please shorten it."
    ),
    NewsletterProblem.SENT: lazy_pgettext("newsletter", "This newsletter has already been sent."),
    NewsletterProblem.NO_SWEDISH: lazy_pgettext(
        "newsletter", "The newsletter needs its Swedish text first."
    ),
    NewsletterProblem.GONE: lazy_pgettext(
        "newsletter", "This newsletter was discarded. Start again with /newsletter."
    ),
}


def problem_text(t: Translator, problem: NewsletterProblem) -> str:
    return t.lazy(PROBLEMS[problem])


def render_newsletter(t: Translator, texts: Mapping[str, str]) -> Rendered:
    """The newsletter in the reader's language, else the Swedish with a note."""
    own = texts.get(t.language)
    body = own if own is not None else texts.get(AUTHORITATIVE, "")
    parts = [t.pgettext("newsletter", "📰 <b>Newsletter</b>"), str(escape(body))]
    if own is None and t.language != AUTHORITATIVE:
        note = t.pgettext(
            "newsletter", "This newsletter is not in your language; it is in Swedish."
        )
        parts.append(f"<i>{note}</i>")
    return Rendered(t.directional("\n\n".join(parts)))


@with_turn
async def newsletter_command(update: Update, context: CustomContext, turn: Turn) -> None:
    if not await staff.admit(update, context, turn) or update.effective_user is None:
        return
    await conversations.begin(
        turn.session, update.effective_user.id, Flow.NEWSLETTER, context.now(),
        data={"language": AUTHORITATIVE},
    )  # fmt: skip
    turn.reply(
        turn.t.pgettext(
            "newsletter",
            "Write the newsletter in Swedish, as plain text. You can add other languages "
            "after the preview.",
        )
    )


async def take_text(
    context: CustomContext, turn: Turn, writing: Conversation, message: Message
) -> None:
    """The newsletter's text in the language the conversation waits for."""
    language = str(writing.data.get("language", AUTHORITATIVE))
    try:
        letter = await newsletters.write(
            turn.session, writing.subject_id, language, message.text or "", writing.user_id
        )
    except NewsletterError as error:
        turn.reply(problem_text(turn.t, error.problem))
        return
    await conversations.end(turn.session, writing.user_id)
    await preview(turn, letter, await repo.count_subscribers(turn.session))


async def preview(turn: Turn, letter: Newsletter, subscribers: int) -> None:
    t = turn.t
    languages = ", ".join(native_name(code) for code in sorted(letter.texts))
    heading = t.pgettext(
        "newsletter", "<b>Preview</b> (languages: {languages}):", languages=languages
    )
    send = t.npgettext(
        "newsletter", "📤 Send to {n} subscriber", "📤 Send to {n} subscribers", subscribers
    )
    rows = [
        (NewsletterButton(NewsletterAction.ADD, letter.id).button(
            t.pgettext("newsletter", "🌐 Add a language")),),
        (NewsletterButton(NewsletterAction.SEND, letter.id).button(send),),
        (NewsletterButton(NewsletterAction.DROP, letter.id).button(
            t.pgettext("newsletter", "🗑 Discard")),),
    ]  # fmt: skip
    turn.reply(heading)
    turn.reply(render_newsletter(t, letter.texts).text, rows)


async def _unsent(turn: Turn, newsletter_id: int) -> Newsletter | None:
    """The newsletter a staff button names, while it can still change (else: a stale
    button, and None)."""
    letter = await repo.get_newsletter(turn.session, newsletter_id)
    if letter is None or letter.sent_at is not None:
        answer_stale(turn)
        return None
    turn.answer()
    return letter


@with_turn
async def newsletter_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = NewsletterButton.parse(query.data if query else None)
    if button is None or not await staff.admit(update, context, turn):
        return
    letter = await _unsent(turn, button.newsletter_id)
    if letter is None:
        return
    turn.drop_buttons(NewsletterButton.prefix + SEPARATOR)
    await ACTIONS[button.action](context, turn, letter)


async def _choose_language(context: CustomContext, turn: Turn, letter: Newsletter) -> None:
    rows = [
        (NewsletterLanguageButton(letter.id, language).button(native_name(language)),)
        for language in OtherLanguage
    ]
    turn.reply(turn.t.pgettext("newsletter", "Which language?"), rows)


async def _confirm(context: CustomContext, turn: Turn, letter: Newsletter) -> None:
    yes = NewsletterButton(NewsletterAction.GO, letter.id)
    label = turn.t.pgettext("newsletter", "📤 Yes, send it")
    turn.reply(turn.t.pgettext("newsletter", "Send the newsletter now?"), [(yes.button(label),)])


async def _send(context: CustomContext, turn: Turn, letter: Newsletter) -> None:
    staff_chat = Staff(turn.chat_id, turn.t.language)
    try:
        broadcast = await newsletters.send(turn.session, letter, context.now(), staff_chat)
    except NewsletterError as error:
        turn.reply(problem_text(turn.t, error.problem))
        return
    log.info("newsletter %s queued for %d subscribers", letter.id, broadcast.total)
    text = turn.t.npgettext(
        "newsletter", "📤 Queued for {n} subscriber. Progress will show here.",
        "📤 Queued for {n} subscribers. Progress will show here.", broadcast.total,
    )  # fmt: skip
    turn.reply(text, on_sent=functools.partial(outbox.watch_broadcast, broadcast.id))
    context.wake_worker()


async def _discard(context: CustomContext, turn: Turn, letter: Newsletter) -> None:
    await turn.session.delete(letter)  # nothing of it is kept
    turn.reply(turn.t.pgettext("newsletter", "Discarded. Nothing was sent."))


ACTIONS: dict[NewsletterAction, Callable[[CustomContext, Turn, Newsletter], Awaitable[None]]] = {
    NewsletterAction.ADD: _choose_language,
    NewsletterAction.SEND: _confirm,
    NewsletterAction.GO: _send,
    NewsletterAction.DROP: _discard,
}


@with_turn
async def language_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query, person = update.callback_query, update.effective_user
    button = NewsletterLanguageButton.parse(query.data if query else None)
    if button is None or person is None or not await staff.admit(update, context, turn):
        return
    letter = await _unsent(turn, button.newsletter_id)
    if letter is None:
        return
    language = str(button.language)
    await conversations.begin(
        turn.session, person.id, Flow.NEWSLETTER, context.now(), subject_id=letter.id,
        data={"language": language},
    )  # fmt: skip
    text = turn.t.pgettext(
        "newsletter", "Write the newsletter in {language}.", language=native_name(language)
    )
    turn.reply(text)


def register(app: IdeApplication) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("newsletter", newsletter_command, filters=private))
    app.add_handler(
        CallbackQueryHandler(language_button, pattern=NewsletterLanguageButton.matches)
    )
    app.add_handler(CallbackQueryHandler(newsletter_button, pattern=NewsletterButton.matches))
