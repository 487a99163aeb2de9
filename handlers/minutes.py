"""A forum's minutes: staff write them from the forum's card once it has started (Swedish,
then other languages if they like), see a preview and send them to those who came and to
everyone who asked for summaries. `/summaries` turns the latter on and off."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from markupsafe import escape
from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.buttons import SEPARATOR, Button, CallbackData
from bot.context import CustomContext, IdeApplication
from bot.conversations import Flow
from bot.forums import minutes
from bot.forums.minutes import MinutesError, MinutesProblem
from bot.forums.notices import Staff
from bot.forums.rules import AUTHORITATIVE, OtherLanguage, text_in
from bot.i18n import LazyText, Translator, lazy_pgettext, native_name
from bot.outgoing import Rendered
from handlers.staff_forum import staff_forum
from handlers.turn import Turn, with_turn
from storage import conversations, outbox
from storage import forums as repo
from storage.models import Conversation, Forum

log = logging.getLogger(__name__)


class MinutesAction(StrEnum):
    WRITE = "write"  # the Swedish (again)
    ADD = "add"  # asks which language
    SEND = "send"  # asks to confirm
    GO = "go"  # sends
    DROP = "drop"  # discards what was written


@dataclass(frozen=True)
class MinutesButton(CallbackData):
    """A staff button about a forum's minutes; packs as `mn:<action>:<forum id>`."""

    prefix = "mn"
    action: MinutesAction
    forum_id: int


@dataclass(frozen=True)
class MinutesLanguageButton(CallbackData):
    """The language to add the minutes in; packs as `mnl:<forum id>:<language>`."""

    prefix = "mnl"
    forum_id: int
    language: OtherLanguage


PROBLEMS: dict[MinutesProblem, LazyText] = {
    MinutesProblem.EMPTY: lazy_pgettext("minutes", "The minutes need some text."),
    MinutesProblem.TOO_LONG: lazy_pgettext(
        "minutes", "That is too long for one message: at most {limit} characters, please."
    ),
    MinutesProblem.NOT_STARTED: lazy_pgettext(
        "minutes", "Minutes can be written once the forum has started."
    ),
    MinutesProblem.NO_SWEDISH: lazy_pgettext(
        "minutes", "The minutes need their Swedish text first."
    ),
    MinutesProblem.SENT: lazy_pgettext("minutes", "The minutes of this forum have been sent."),
    MinutesProblem.CANCELLED: lazy_pgettext("minutes", "This forum was cancelled."),
}


def problem_text(t: Translator, problem: MinutesProblem) -> str:
    return t.pgettext(*PROBLEMS[problem], limit=minutes.MAX_TEXT)


def render_minutes(t: Translator, forum: Forum) -> Rendered | None:
    """The minutes in the reader's language, else the Swedish with a note."""
    texts = forum.minutes or {}
    own = texts.get(t.language)
    body = own if own is not None else texts.get(AUTHORITATIVE)
    if body is None:
        return None
    heading = t.pgettext(
        "minutes", "📝 <b>Minutes: {title}</b>", title=text_in(forum, t.language)[0]
    )
    parts = [heading, str(escape(body))]
    if own is None and t.language != AUTHORITATIVE:
        note = t.pgettext(
            "minutes", "These minutes are not in your language; they are in Swedish."
        )
        parts.append(f"<i>{note}</i>")
    return Rendered(t.directional("\n\n".join(parts)))


def card_row(t: Translator, forum: Forum) -> tuple[Button, ...]:
    """On the staff card once the forum has started, until the minutes are sent."""
    label = t.pgettext("minutes", "📝 Write minutes")
    return (MinutesButton(MinutesAction.WRITE, forum.id).button(label),)


@with_turn
async def minutes_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = MinutesButton.parse(query.data if query else None)
    forum = await staff_forum(update, context, turn, button.forum_id) if button else None
    if button is None or forum is None:
        return
    if button.action is not MinutesAction.WRITE:
        turn.drop_buttons(MinutesButton.prefix + SEPARATOR)
    try:
        await ACTIONS[button.action](context, turn, forum)
    except MinutesError as error:
        turn.reply(problem_text(turn.t, error.problem))


async def _write(context: CustomContext, turn: Turn, forum: Forum) -> None:
    await _begin(context, turn, forum, AUTHORITATIVE)
    turn.reply(
        turn.t.pgettext(
            "minutes",
            "Write the minutes or a short summary of <b>{title}</b> in Swedish, as "
            "plain text. You can add other languages after the preview.",
            title=text_in(forum, turn.t.language)[0],
        )
    )


async def _begin(context: CustomContext, turn: Turn, forum: Forum, language: str) -> None:
    if forum.minutes_sent_at is not None:
        raise MinutesError(MinutesProblem.SENT)
    if not minutes.can_write(forum, context.now()):
        raise MinutesError(
            MinutesProblem.NOT_STARTED
            if forum.status == repo.PUBLISHED
            else MinutesProblem.CANCELLED
        )
    person = turn.update.effective_user
    await conversations.begin(
        turn.session, person.id if person else 0, Flow.MINUTES, context.now(),
        subject_id=forum.id, data={"language": language},
    )  # fmt: skip


async def _choose_language(context: CustomContext, turn: Turn, forum: Forum) -> None:
    rows = [
        (MinutesLanguageButton(forum.id, language).button(native_name(language)),)
        for language in OtherLanguage
    ]
    turn.reply(turn.t.pgettext("minutes", "Which language?"), rows)


async def _confirm(context: CustomContext, turn: Turn, forum: Forum) -> None:
    yes = MinutesButton(MinutesAction.GO, forum.id)
    label = turn.t.pgettext("minutes", "📤 Yes, send them")
    turn.reply(turn.t.pgettext("minutes", "Send the minutes now?"), [(yes.button(label),)])


async def _send(context: CustomContext, turn: Turn, forum: Forum) -> None:
    staff_chat = Staff(turn.chat_id, turn.t.language)
    broadcast = await minutes.send(turn.session, forum, context.now(), staff_chat)
    log.info("minutes of forum %s queued for %d people", forum.id, broadcast.total)
    text = turn.t.npgettext(
        "minutes", "📤 Queued for {n} person. Progress will show here.",
        "📤 Queued for {n} people. Progress will show here.", broadcast.total,
    )  # fmt: skip
    turn.reply(text, on_sent=functools.partial(outbox.watch_broadcast, broadcast.id))
    context.wake_worker()


async def _discard(context: CustomContext, turn: Turn, forum: Forum) -> None:
    minutes.discard(forum)
    turn.reply(turn.t.pgettext("minutes", "Discarded. Nothing was sent."))


ACTIONS: dict[MinutesAction, Callable[[CustomContext, Turn, Forum], Awaitable[None]]] = {
    MinutesAction.WRITE: _write,
    MinutesAction.ADD: _choose_language,
    MinutesAction.SEND: _confirm,
    MinutesAction.GO: _send,
    MinutesAction.DROP: _discard,
}


@with_turn
async def language_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = MinutesLanguageButton.parse(query.data if query else None)
    forum = await staff_forum(update, context, turn, button.forum_id) if button else None
    if button is None or forum is None:
        return
    language = str(button.language)
    try:
        await _begin(context, turn, forum, language)
    except MinutesError as error:
        turn.reply(problem_text(turn.t, error.problem))
        return
    turn.reply(
        turn.t.pgettext(
            "minutes", "Write the minutes in {language}.", language=native_name(language)
        )
    )


async def take_text(
    context: CustomContext, turn: Turn, writing: Conversation, message: Message
) -> bool:
    """The minutes in the language the conversation waits for (sent here by the router);
    False if the forum is gone."""
    forum = await repo.get_forum(turn.session, writing.subject_id or 0)
    if forum is None:
        return False
    language = str(writing.data.get("language", AUTHORITATIVE))
    try:
        minutes.write(forum, language, message.text or "", context.now())
    except MinutesError as error:
        turn.reply(problem_text(turn.t, error.problem))
        if error.problem not in {MinutesProblem.EMPTY, MinutesProblem.TOO_LONG}:
            await conversations.end(turn.session, writing.user_id)
        return True
    await conversations.end(turn.session, writing.user_id)
    await preview(turn, forum, await minutes.count_recipients(turn.session, forum.id))
    return True


async def preview(turn: Turn, forum: Forum, readers: int) -> None:
    """Each language written, then what staff can do next."""
    t = turn.t
    languages = ", ".join(native_name(code) for code in sorted(forum.minutes or {}))
    heading = t.pgettext(
        "minutes", "<b>Preview</b> (languages: {languages}):", languages=languages
    )
    send = t.npgettext("minutes", "📤 Send to {n} person", "📤 Send to {n} people", readers)
    rows = [
        (MinutesButton(MinutesAction.ADD, forum.id).button(
            t.pgettext("minutes", "🌐 Add a language")),),
        (MinutesButton(MinutesAction.SEND, forum.id).button(send),),
        (MinutesButton(MinutesAction.DROP, forum.id).button(
            t.pgettext("minutes", "🗑 Discard")),),
    ]  # fmt: skip
    turn.reply(heading)
    written = sorted((forum.minutes or {}).items(), key=lambda item: item[0] != AUTHORITATIVE)
    for index, (language, text) in enumerate(written):  # each language as it was written
        last = index == len(written) - 1
        turn.reply(f"<b>{native_name(language)}</b>\n\n{escape(text)}", rows if last else ())


# -- members ------------------------------------------------------------------------------


def summaries_hint(t: Translator) -> str:
    return t.pgettext(
        "minutes", "📝 /summaries: also get the minutes of forums you do not come to."
    )


@with_turn
async def summaries_command(update: Update, context: CustomContext, turn: Turn) -> None:
    """Turn the minutes of every forum on or off (those who came get them anyway)."""
    user = await turn.keep_user()
    user.wants_summaries = not user.wants_summaries
    if user.wants_summaries:
        text = turn.t.pgettext(
            "minutes", "📝 You will get the minutes of every dialogue forum, also those you "
            "do not come to. Send /summaries again to stop them.",
        )  # fmt: skip
    else:
        text = turn.t.pgettext(
            "minutes", "You will get the minutes only of forums you come to. Send /summaries "
            "to get them all.",
        )  # fmt: skip
    turn.reply(text)


def register(app: IdeApplication) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("summaries", summaries_command, filters=private))
    app.add_handler(CallbackQueryHandler(minutes_button, pattern=MinutesButton.matches))
    app.add_handler(CallbackQueryHandler(language_button, pattern=MinutesLanguageButton.matches))
