"""Dialogue forums for staff: /newforum (a guided flow kept in the database, so it survives
restarts), the forum's card with its answers, publish, translate, reschedule, cancel, and
the attendee list as CSV. Every action is checked on the server side."""

from __future__ import annotations

import functools
import logging
import re
from datetime import datetime

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import forums
from bot.buttons import Button, Rows
from bot.config import SUPPORTED_LANGUAGES
from bot.context import CustomContext, IdeApplication
from bot.forums import AUTHORITATIVE, FLOW_STEPS, ForumError, Staff
from bot.i18n import Translator, native_name
from handlers import newsletter, notices, staff
from handlers.fallback import answer_stale
from handlers.forums import MANAGE
from handlers.notices import forum_details
from handlers.turn import Turn, with_turn
from storage import forums as repo
from storage import outbox
from storage.forums import CANCELLED, DRAFT
from storage.models import Broadcast, Forum, StaffDraft

log = logging.getLogger(__name__)

PUBLISH, PUBLISH_YES = "fp:", "fpy:"  # fp:<id> asks, fpy:<id> publishes
CANCEL, CANCEL_YES = "fx:", "fxy:"  # fx:<id> asks, fxy:<id> cancels
MOVE = "fm:"  # fm:<id>              reschedule: asks for the new start and end
TRANSLATE, TRANSLATE_TO = "ft:", "ftl:"  # ft:<id> picks a language, ftl:<id>:<lang> asks
EXPORT = "fe:"  # fe:<id>            the answers as CSV
FLOW_SKIP, FLOW_STOP = "fd:skip", "fd:stop"
ACTION = re.compile(r"^(fa|fpy|fp|fxy|fx|fm|ft|fe):(\d{1,9})$")
TRANSLATE_DATA = re.compile(r"^ftl:(\d{1,9}):([a-z]{2})$")
EXAMPLE = "2027-03-18 18:00"


def _staff(update: Update, turn: Turn) -> Staff:
    chat = update.effective_chat
    return Staff(chat.id if chat else None, turn.t.language)


# -- the forum's card ----------------------------------------------------------------------


async def show_card(turn: Turn, forum: Forum) -> None:
    t = turn.t
    counts = await repo.tally(turn.session, forum.id)
    status = {
        DRAFT: t.pgettext("forum admin", "📝 Draft, not published"),
        CANCELLED: t.pgettext("forum admin", "❌ Cancelled"),
    }.get(forum.status, t.pgettext("forum admin", "📣 Published"))
    summary = t.pgettext(
        "forum admin", "Coming: {going} · Waitlist: {waitlist} · Can't come: {not_going}",
        going=counts["going"], waitlist=counts["waitlist"], not_going=counts["not_going"],
    )  # fmt: skip
    languages = ", ".join(native_name(code) for code in sorted(forum.titles))
    texts = t.pgettext("forum admin", "Texts in: {languages}", languages=languages)
    text = "\n\n".join([forum_details(t, forum), f"{status}\n{summary}\n{texts}"])
    turn.reply(text, _card_buttons(t, forum))


def _card_buttons(t: Translator, forum: Forum) -> list[tuple[Button, ...]]:
    rows: list[tuple[Button, ...]] = []
    if forum.status == DRAFT:
        rows.append((Button(t.pgettext("forum admin", "📣 Publish"), f"{PUBLISH}{forum.id}"),))
    if forum.status != CANCELLED:
        rows.append(
            (
                Button(t.pgettext("forum admin", "🌐 Add a language"), f"{TRANSLATE}{forum.id}"),
                Button(t.pgettext("forum admin", "🔁 New time"), f"{MOVE}{forum.id}"),
            )
        )
        rows.append(
            (Button(t.pgettext("forum admin", "❌ Cancel the forum"), f"{CANCEL}{forum.id}"),)
        )
    rows.append((Button(t.pgettext("forum admin", "⬇ Answers (CSV)"), f"{EXPORT}{forum.id}"),))
    return rows


async def _forum_for_staff(
    update: Update, context: CustomContext, turn: Turn
) -> tuple[str, Forum] | None:
    """The action and forum a staff button names; refusals and stale buttons answered."""
    query = update.callback_query
    if query is None or not await staff.admit(update, context, turn):
        return None
    match = ACTION.match(query.data or "")
    forum = await repo.get_forum(turn.session, int(match.group(2))) if match else None
    if match is None or forum is None:
        answer_stale(turn)
        return None
    turn.answer()
    return match.group(1), forum


@with_turn
async def forum_action_button(update: Update, context: CustomContext, turn: Turn) -> None:
    """Every button on the card: look at the action, act or ask to confirm."""
    found = await _forum_for_staff(update, context, turn)
    if found is None:
        return
    action, forum = found
    t, now = turn.t, context.now()
    person = update.effective_user.id if update.effective_user else 0
    try:
        if action == "fa":
            await show_card(turn, forum)
        elif action in {"fp", "fx"}:
            await _confirm(turn, forum, action, await repo.count_subscribers(turn.session))
        elif action == "fpy":
            broadcast = await forums.publish(
                turn.session, forum, now, notices.schedule(context.settings), _staff(update, turn)
            )
            await _progress(context, turn, broadcast)
        elif action == "fxy":
            await _progress(
                context, turn, await forums.cancel(turn.session, forum, now, _staff(update, turn))
            )
        elif action == "fm":
            await repo.start_draft(turn.session, person, "move", "start", forum_id=forum.id)
            turn.reply(_prompt(t, "start"), _stop_keyboard(t, skip=False))
        elif action == "ft":
            await _choose_language(turn, forum)
        else:
            await _export(update, context, turn, forum)
    except ForumError as error:
        turn.reply(problem_text(t, error.code))
    log.info("staff %s: %s on forum %s", person, action, forum.id)


async def _confirm(turn: Turn, forum: Forum, action: str, subscribers: int) -> None:
    t = turn.t
    title = forums.text_in(forum, t.language)[0]
    if action == "fp":
        text = t.npgettext(
            "forum admin", "Publish <b>{title}</b> and invite {n} subscriber now?",
            "Publish <b>{title}</b> and invite {n} subscribers now?", subscribers, title=title,
        )  # fmt: skip
        yes = Button(t.pgettext("forum admin", "📣 Yes, publish"), f"{PUBLISH_YES}{forum.id}")
    else:
        text = t.pgettext(
            "forum admin", "Cancel <b>{title}</b>? Everyone invited or coming will be told.",
            title=title,
        )  # fmt: skip
        yes = Button(t.pgettext("forum admin", "❌ Yes, cancel it"), f"{CANCEL_YES}{forum.id}")
    no = Button(t.pgettext("forum admin", "« Back"), f"{MANAGE}{forum.id}")
    turn.reply(text, [(yes, no)])


async def _progress(context: CustomContext, turn: Turn, broadcast: Broadcast | None) -> None:
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


async def _choose_language(turn: Turn, forum: Forum) -> None:
    rows = [
        (Button(native_name(code), f"{TRANSLATE_TO}{forum.id}:{code}"),)
        for code in SUPPORTED_LANGUAGES
        if code != AUTHORITATIVE
    ]
    turn.reply(turn.t.pgettext("forum admin", "Which language?"), rows)


async def _export(update: Update, context: CustomContext, turn: Turn, forum: Forum) -> None:
    rows = await repo.attendees(turn.session, forum.id)
    data = forums.attendees_csv(rows, context.settings.zone)
    turn.document((f"forum-{forum.id}-answers.csv", data))


@with_turn
async def translate_to_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    if query is None or not await staff.admit(update, context, turn):
        return
    match = TRANSLATE_DATA.match(query.data or "")
    forum = await repo.get_forum(turn.session, int(match.group(1))) if match else None
    if match is None or forum is None or match.group(2) not in SUPPORTED_LANGUAGES:
        answer_stale(turn)
        return
    turn.answer()
    language = match.group(2)
    await repo.start_draft(
        turn.session, query.from_user.id, "translate", "title", forum_id=forum.id,
        data={"language": language},
    )  # fmt: skip
    text = turn.t.pgettext(
        "forum admin", "The title in {language}?", language=native_name(language)
    )
    turn.reply(text, _stop_keyboard(turn.t, skip=False))


# -- the guided flow -----------------------------------------------------------------------------


@with_turn
async def new_forum_command(update: Update, context: CustomContext, turn: Turn) -> None:
    if not await staff.admit(update, context, turn) or update.effective_user is None:
        return
    await repo.start_draft(turn.session, update.effective_user.id, "forum", FLOW_STEPS[0])
    intro = turn.t.pgettext(
        "forum admin", "<b>New dialogue forum.</b> I will ask for each detail; you can stop "
        "any time, and continue after a restart.",
    )  # fmt: skip
    turn.reply(intro + "\n\n" + _prompt(turn.t, FLOW_STEPS[0]), _stop_keyboard(turn.t, False))


async def staff_text(update: Update, context: CustomContext) -> None:
    """Staff's text while a flow waits for it; anything else goes on to the other handlers."""
    if await _take_staff_text(update, context):
        raise ApplicationHandlerStop


@with_turn
async def _take_staff_text(update: Update, context: CustomContext, turn: Turn) -> bool:
    message, person = update.effective_message, update.effective_user
    if message is None or person is None or not message.text:
        return False
    draft = await repo.get_draft(turn.session, person.id)
    if draft is None or not context.settings.is_admin(person.id):
        return False
    if draft.kind == "newsletter":
        await newsletter.take_text(context, turn, draft, message.text)
    else:
        await flow_step(context, turn, draft, message.text)
    return True


@with_turn
async def flow_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    if query is None or not await staff.admit(update, context, turn):
        return
    draft = await repo.get_draft(turn.session, query.from_user.id)
    if draft is None:
        answer_stale(turn)
        return
    turn.answer()
    turn.drop_buttons("fd:")
    if query.data == FLOW_STOP:
        await repo.delete_draft(turn.session, draft.user_id)
        turn.reply(turn.t.pgettext("forum admin", "Stopped. Nothing more was saved."))
    else:
        await flow_step(context, turn, draft, None)


async def flow_step(
    context: CustomContext, turn: Turn, draft: StaffDraft, text: str | None
) -> None:
    """One answer in a staff flow: a new forum, a translation, or a new time."""
    t, zone, now = turn.t, context.settings.zone, context.now()
    if draft.kind == "forum":
        result = forums.flow_answer(draft.data, draft.step, text, zone, now)
    elif draft.kind == "move":  # the start and end steps of the forum flow, then done
        result = forums.flow_answer(draft.data, draft.step, text, zone, now)
        if not result.problem:
            result.step = "end" if draft.step == "start" else None
    else:
        result = _translation_answer(draft, text)
    if result.problem:
        prompt = _flow_prompt(t, draft, result.step or draft.step)
        turn.reply(problem_text(t, result.problem) + "\n\n" + prompt)
        return
    if result.step is not None:
        draft.data, draft.step, draft.updated_at = result.data, result.step, now
        skip = draft.kind == "forum" and result.step in forums.OPTIONAL_STEPS
        turn.reply(_flow_prompt(t, draft, result.step), _stop_keyboard(t, skip))
        return
    await repo.delete_draft(turn.session, draft.user_id)
    try:
        forum = await _finish(context, turn, draft, result.data, now)
    except ForumError as error:
        turn.reply(problem_text(t, error.code))
        return
    await show_card(turn, forum)


def _translation_answer(draft: StaffDraft, text: str | None) -> forums.FlowResult:
    value = (text or "").strip()
    if not value:
        return forums.FlowResult(draft.data, draft.step, "required")
    if len(value) > (forums.MAX_TITLE if draft.step == "title" else forums.MAX_DESCRIPTION):
        return forums.FlowResult(draft.data, draft.step, "too_long")
    data = {**draft.data, draft.step: value}
    return forums.FlowResult(data, "description" if draft.step == "title" else None)


async def _finish(
    context: CustomContext, turn: Turn, draft: StaffDraft, data: dict[str, object], now: datetime
) -> Forum:
    if draft.kind == "forum":
        return await forums.create(turn.session, forums.flow_fields(data), draft.user_id, now)
    forum = await repo.get_forum(turn.session, draft.forum_id or 0)
    if forum is None:
        raise ForumError("missing")
    if draft.kind == "translate":
        forums.set_text(forum, str(data["language"]), str(data["title"]), str(data["description"]))
        return forum
    broadcast = await forums.reschedule(
        turn.session,
        forum,
        starts_at=datetime.fromisoformat(str(data["start"])),
        ends_at=datetime.fromisoformat(str(data["end"])),
        now=now,
        schedule=notices.schedule(context.settings),
        staff=_staff(turn.update, turn),
    )
    if broadcast is not None:
        await _progress(context, turn, broadcast)
    return forum


def _flow_prompt(t: Translator, draft: StaffDraft, step: str) -> str:
    if draft.kind == "translate" and step == "title":
        language = native_name(str(draft.data.get("language", AUTHORITATIVE)))
        return t.pgettext("forum admin", "The title in {language}?", language=language)
    if draft.kind == "translate":
        return t.pgettext("forum admin", "The description in that language?")
    return _prompt(t, step)


def _stop_keyboard(t: Translator, skip: bool) -> Rows:
    row = [Button(t.pgettext("forum admin", "✖ Stop"), FLOW_STOP)]
    if skip:
        row.insert(0, Button(t.pgettext("forum admin", "⏭ Skip"), FLOW_SKIP))
    return [tuple(row)]


def _prompt(t: Translator, step: str) -> str:  # noqa: PLR0911  (one question per step)
    if step == "title":
        return t.pgettext("forum admin", "What is the <b>title</b>, in Swedish?")
    if step == "description":
        return t.pgettext("forum admin", "A short <b>description</b>, in Swedish?")
    if step == "start":
        return t.pgettext(
            "forum admin", "When does it <b>start</b>? Write the date and time like {example}.",
            example=EXAMPLE,
        )  # fmt: skip
    if step == "end":
        return t.pgettext(
            "forum admin", "When does it <b>end</b>? A time like 20:30, or a date and time."
        )
    if step == "place":
        return t.pgettext(
            "forum admin", "<b>Where</b>? An address or a room (skip if online only)."
        )
    if step == "link":
        return t.pgettext("forum admin", "A <b>link</b> to join online or read more? (optional)")
    if step == "focus":
        return t.pgettext("forum admin", "The <b>focus area</b>, e.g. meeting places? (optional)")
    if step == "capacity":
        return t.pgettext("forum admin", "How many <b>places</b>? A number (skip: no limit).")
    return t.pgettext(
        "forum admin", "The last time to <b>answer</b>, like {example}? (optional)",
        example=EXAMPLE,
    )  # fmt: skip


def problem_text(t: Translator, code: str) -> str:  # noqa: PLR0911  (one text per problem)
    if code == "required":
        return t.pgettext("forum admin", "This one is needed.")
    if code in {"too_long", "title_long", "description_long"}:
        return t.pgettext("forum admin", "That is too long; please shorten it.")
    if code == "link":
        return t.pgettext("forum admin", "A link must start with https:// or http://.")
    if code == "capacity":
        return t.pgettext("forum admin", "Write a whole number, like 40.")
    if code == "datetime":
        return t.pgettext(
            "forum admin", "I could not read that. Write it like {example}.", example=EXAMPLE
        )
    if code == "in_the_past":
        return t.pgettext("forum admin", "That time has already passed.")
    if code == "end_before_start":
        return t.pgettext("forum admin", "The end must be after the start.")
    if code == "deadline":
        return t.pgettext("forum admin", "The deadline must be before the start and not passed.")
    if code == "no_place":
        return t.pgettext("forum admin", "A forum needs a place or an online link.")
    if code == "not_draft":
        return t.pgettext("forum admin", "This forum has already been published.")
    if code == "cancelled":
        return t.pgettext("forum admin", "This forum is cancelled.")
    return t.pgettext("forum admin", "A Swedish title is needed.")


def register(app: IdeApplication) -> None:
    private = filters.ChatType.PRIVATE
    settings = app.bot_data.settings
    admins = filters.User(user_id=settings.admin_ids if settings else ())
    # Group -1, before every feature: a staff member's text that a flow is waiting for.
    app.add_handler(
        MessageHandler(private & admins & filters.TEXT & ~filters.COMMAND, staff_text), group=-1
    )
    app.add_handler(CommandHandler("newforum", new_forum_command, filters=private))
    app.add_handler(CallbackQueryHandler(forum_action_button, pattern=ACTION))
    app.add_handler(CallbackQueryHandler(translate_to_button, pattern=f"^{TRANSLATE_TO}"))
    app.add_handler(CallbackQueryHandler(flow_button, pattern="^fd:"))
