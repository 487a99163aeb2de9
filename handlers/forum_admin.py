"""Dialogue forums for staff: /newforum (a guided flow kept in the database, so it survives
restarts), the forum's card with its answers, publish, translate, reschedule, cancel, and
the attendee list as CSV. Every action is checked on the server side."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from telegram import Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    filters,
)

from bot.buttons import SEPARATOR, Button, CallbackData, Rows
from bot.context import CustomContext, IdeApplication
from bot.conversations import Flow
from bot.forums import door, export, lifecycle, staff_flow
from bot.forums.notices import Staff
from bot.forums.reminders import Schedule
from bot.forums.rules import ForumError, OtherLanguage, text_in
from bot.forums.staff_flow import FLOWS, STEPS, Step
from bot.i18n import Translator, native_name
from handlers import forum_close, staff
from handlers.fallback import answer_stale
from handlers.forum_admin_texts import card_text, problem_text, prompt
from handlers.link_buttons import link_rows
from handlers.staff_forum import staff_forum
from handlers.turn import Turn, with_turn
from storage import conversations, outbox
from storage import forums as repo
from storage.forums import CANCELLED, DRAFT
from storage.models import Broadcast, Conversation, Forum

log = logging.getLogger(__name__)

FORUM_FLOWS = frozenset(FLOWS)  # the conversations whose steps these buttons answer


class ForumAction(StrEnum):
    CARD = "card"
    PUBLISH = "publish"  # asks to confirm
    PUBLISH_NOW = "publish-now"
    CANCEL = "cancel"  # asks to confirm
    CANCEL_NOW = "cancel-now"
    MOVE = "move"  # asks for the new start and end
    TRANSLATE = "translate"  # asks which language
    EXPORT = "export"  # the answers as CSV


@dataclass(frozen=True)
class ForumAdminButton(CallbackData):
    """A staff button about one forum; packs as `fa:<action>:<forum id>`."""

    prefix = "fa"
    action: ForumAction
    forum_id: int


@dataclass(frozen=True)
class TranslateButton(CallbackData):
    """The language to add a forum's text in; packs as `ftl:<forum id>:<language>`."""

    prefix = "ftl"
    forum_id: int
    language: OtherLanguage


class FlowChoice(StrEnum):
    SKIP = "skip"
    STOP = "stop"


@dataclass(frozen=True)
class FlowButton(CallbackData):
    """Skip an optional question of a staff flow, or stop the flow; `fd:skip|stop`."""

    prefix = "fd"
    choice: FlowChoice


def _person(turn: Turn) -> int:
    person = turn.update.effective_user
    return person.id if person else 0


def _staff(turn: Turn) -> Staff:
    """Progress of what this turn broadcasts is shown in this chat, in this language."""
    return Staff(turn.chat_id, turn.t.language)


# -- the forum's card ---------------------------------------------------------------------


async def show_card(turn: Turn, forum: Forum, now: datetime) -> None:
    counts = await repo.tally(turn.session, forum.id)
    figures = await door.figures(turn.session, forum)
    more, rows = await forum_close.card_extras(turn.session, turn.t, forum, now)
    text = card_text(turn.t, forum, counts, figures) + (f"\n\n{more}" if more else "")
    turn.reply(text, [*rows, *card_buttons(turn.t, forum)])


def card_buttons(t: Translator, forum: Forum) -> Rows:
    def button(action: ForumAction, label: str) -> Button:
        return ForumAdminButton(action, forum.id).button(label)

    rows: list[tuple[Button, ...]] = []
    if forum.status == DRAFT:
        rows.append((button(ForumAction.PUBLISH, t.pgettext("forum admin", "📣 Publish")),))
    if forum.status != CANCELLED:
        rows.append(
            (
                button(ForumAction.TRANSLATE, t.pgettext("forum admin", "🌐 Add a language")),
                button(ForumAction.MOVE, t.pgettext("forum admin", "🔁 New time")),
            )
        )
        rows.append(
            (button(ForumAction.CANCEL, t.pgettext("forum admin", "❌ Cancel the forum")),)
        )
    rows.extend(link_rows(t, forum))
    rows.append((button(ForumAction.EXPORT, t.pgettext("forum admin", "⬇ Answers (CSV)")),))
    return rows


@with_turn
async def forum_action_button(update: Update, context: CustomContext, turn: Turn) -> None:
    """Every button on the card: act, or ask to confirm."""
    query = update.callback_query
    button = ForumAdminButton.parse(query.data if query else None)
    forum = await staff_forum(update, context, turn, button.forum_id) if button else None
    if button is None or forum is None:
        return
    try:
        await ACTIONS[button.action](Act(context, turn, forum))
    except ForumError as error:
        turn.reply(problem_text(turn.t, error.problem))
    log.info("staff %s: %s on forum %s", _person(turn), button.action, forum.id)


@dataclass(frozen=True)
class Act:
    """A staff button pressed about `forum`."""

    context: CustomContext
    turn: Turn
    forum: Forum

    @property
    def title(self) -> str:
        return text_in(self.forum, self.turn.t.language)[0]

    def back(self) -> Button:
        label = self.turn.t.pgettext("forum admin", "« Back")
        return ForumAdminButton(ForumAction.CARD, self.forum.id).button(label)


async def _card(act: Act) -> None:
    await show_card(act.turn, act.forum, act.context.now())


async def _ask_publish(act: Act) -> None:
    t, subscribers = act.turn.t, await repo.count_subscribers(act.turn.session)
    text = t.npgettext(
        "forum admin", "Publish <b>{title}</b> and invite {n} subscriber now?",
        "Publish <b>{title}</b> and invite {n} subscribers now?", subscribers, title=act.title,
    )  # fmt: skip
    yes = ForumAdminButton(ForumAction.PUBLISH_NOW, act.forum.id)
    act.turn.reply(text, [(yes.button(t.pgettext("forum admin", "📣 Yes, publish")), act.back())])


async def _publish(act: Act) -> None:
    context, turn = act.context, act.turn
    schedule = Schedule.of(context.settings)
    broadcast = await lifecycle.publish(
        turn.session, act.forum, context.now(), schedule, _staff(turn)
    )
    _progress(context, turn, broadcast)


async def _ask_cancel(act: Act) -> None:
    t = act.turn.t
    text = t.pgettext(
        "forum admin", "Cancel <b>{title}</b>? Everyone invited or coming will be told.",
        title=act.title,
    )  # fmt: skip
    yes = ForumAdminButton(ForumAction.CANCEL_NOW, act.forum.id)
    act.turn.reply(
        text, [(yes.button(t.pgettext("forum admin", "❌ Yes, cancel it")), act.back())]
    )


async def _cancel(act: Act) -> None:
    turn = act.turn
    broadcast = await lifecycle.cancel(turn.session, act.forum, act.context.now(), _staff(turn))
    _progress(act.context, turn, broadcast)


async def _move(act: Act) -> None:
    turn = act.turn
    step = await staff_flow.begin(
        turn.session, _person(turn), Flow.MOVE_FORUM, act.context.now(), forum_id=act.forum.id
    )
    turn.reply(prompt(turn.t, Flow.MOVE_FORUM, step, {}), flow_keyboard(turn.t, step))


async def _choose_language(act: Act) -> None:
    rows = [
        (TranslateButton(act.forum.id, language).button(native_name(language)),)
        for language in OtherLanguage
    ]
    act.turn.reply(act.turn.t.pgettext("forum admin", "Which language?"), rows)


async def _export(act: Act) -> None:
    rows = await repo.attendees(act.turn.session, act.forum.id)
    data = export.attendees_csv(rows, act.context.settings.zone)
    act.turn.document((f"forum-{act.forum.id}-answers.csv", data))


ACTIONS: dict[ForumAction, Callable[[Act], Awaitable[None]]] = {
    ForumAction.CARD: _card,
    ForumAction.PUBLISH: _ask_publish,
    ForumAction.PUBLISH_NOW: _publish,
    ForumAction.CANCEL: _ask_cancel,
    ForumAction.CANCEL_NOW: _cancel,
    ForumAction.MOVE: _move,
    ForumAction.TRANSLATE: _choose_language,
    ForumAction.EXPORT: _export,
}


def _progress(context: CustomContext, turn: Turn, broadcast: Broadcast | None) -> None:
    """The message staff watch: the worker edits it as the broadcast goes out."""
    if broadcast is None or broadcast.total == 0:
        turn.reply(turn.t.pgettext("forum admin", "Done. Nobody needed to be told."))
        return
    text = turn.t.npgettext(
        "forum admin", "📤 Queued for {n} person. Progress will show here.",
        "📤 Queued for {n} people. Progress will show here.", broadcast.total,
    )  # fmt: skip
    turn.reply(text, on_sent=functools.partial(outbox.watch_broadcast, broadcast.id))
    context.wake_worker()


@with_turn
async def translate_to_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = TranslateButton.parse(query.data if query else None)
    forum = await staff_forum(update, context, turn, button.forum_id) if button else None
    if button is None or forum is None:
        return
    language = str(button.language)
    step = await staff_flow.begin(
        turn.session,
        _person(turn),
        Flow.TRANSLATE_FORUM,
        context.now(),
        forum_id=forum.id,
        language=language,
    )
    text = prompt(turn.t, Flow.TRANSLATE_FORUM, step, {"language": language})
    turn.reply(text, flow_keyboard(turn.t, step))


# -- the guided flows -----------------------------------------------------------------------


@with_turn
async def new_forum_command(update: Update, context: CustomContext, turn: Turn) -> None:
    if not await staff.admit(update, context, turn):
        return
    step = await staff_flow.begin(turn.session, _person(turn), Flow.NEW_FORUM, context.now())
    intro = turn.t.pgettext(
        "forum admin", "<b>New dialogue forum.</b> I will ask for each detail; you can stop "
        "any time, and continue after a restart.",
    )  # fmt: skip
    text = intro + "\n\n" + prompt(turn.t, Flow.NEW_FORUM, step, {})
    turn.reply(text, flow_keyboard(turn.t, step))


def flow_keyboard(t: Translator, step: Step) -> Rows:
    """Stop, and Skip where the question is optional."""
    row = [FlowButton(FlowChoice.STOP).button(t.pgettext("forum admin", "✖ Stop"))]
    if STEPS[step].optional:
        row.insert(0, FlowButton(FlowChoice.SKIP).button(t.pgettext("forum admin", "⏭ Skip")))
    return [tuple(row)]


@with_turn
async def flow_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = FlowButton.parse(query.data if query else None)
    if button is None or not await staff.admit(update, context, turn):
        return
    draft = await conversations.current(turn.session, _person(turn))
    if draft is None or draft.flow not in FORUM_FLOWS:
        answer_stale(turn)
        return
    turn.answer()
    turn.drop_buttons(FlowButton.prefix + SEPARATOR)
    if button.choice is FlowChoice.STOP:
        await conversations.end(turn.session, draft.user_id)
        turn.reply(turn.t.pgettext("forum admin", "Stopped. Nothing more was saved."))
    else:
        await flow_step(context, turn, draft, None)


async def take_text(
    context: CustomContext, turn: Turn, draft: Conversation, message: Message
) -> None:
    """Staff's text while a forum flow waits for it (sent here by the router)."""
    await flow_step(context, turn, draft, message.text or "")


async def flow_step(
    context: CustomContext, turn: Turn, draft: Conversation, text: str | None
) -> None:
    """One answer (None: skipped) in a staff flow: a new forum, a translation, a new time."""
    taken = await staff_flow.take(
        turn.session, draft, text, zone=context.settings.zone, now=context.now(),
        schedule=Schedule.of(context.settings), staff=_staff(turn),
    )  # fmt: skip
    t, flow, step = turn.t, taken.flow, taken.step
    if step is not None:
        question = prompt(t, flow, step, draft.data)
        problem = problem_text(t, taken.problem) + "\n\n" if taken.problem else ""
        turn.reply(problem + question, flow_keyboard(t, step))
    elif taken.problem is not None:
        turn.reply(problem_text(t, taken.problem))
    if taken.broadcast is not None:
        _progress(context, turn, taken.broadcast)
    if taken.forum is not None:
        await show_card(turn, taken.forum, context.now())


def register(app: IdeApplication) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("newforum", new_forum_command, filters=private))
    app.add_handler(CallbackQueryHandler(forum_action_button, pattern=ForumAdminButton.matches))
    app.add_handler(CallbackQueryHandler(translate_to_button, pattern=TranslateButton.matches))
    app.add_handler(CallbackQueryHandler(flow_button, pattern=FlowButton.matches))
