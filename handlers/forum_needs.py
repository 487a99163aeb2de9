"""Access needs: after "I'll come", one question about interpretation (buttons, or a
language typed in) and one about anything else to arrange (typed, or "Nothing"); changed
later from /forums. Staff see a summary without names, and the names only in the list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from babel import Locale
from markupsafe import Markup, escape
from telegram import Message, Update
from telegram.ext import CallbackQueryHandler

from bot.buttons import Button, CallbackData
from bot.context import CustomContext, IdeApplication
from bot.conversations import Flow
from bot.forums import needs
from bot.forums.needs import INTERPRETED, MAX_LANGUAGE, MAX_NEEDS, NeedsError, NeedsProblem
from bot.forums.rules import OtherLanguage, text_in
from bot.i18n import LazyText, Translator, lazy_pgettext, native_name
from bot.outgoing import Rendered
from bot.textsplit import split_message
from handlers.staff_forum import staff_forum
from handlers.turn import Turn, with_turn
from storage import conversations
from storage import forums as repo
from storage.forums import WAITLIST
from storage.models import Conversation, Forum, Rsvp

WINDOW = timedelta(days=1)  # after this, typed text is a question again, not a need
LANGUAGE_STEP, NEEDS_STEP = "language", "needs"


class NeedsChoice(StrEnum):
    NONE = "none"  # no interpretation needed
    OTHER = "other"  # another language, typed
    NOTHING = "nothing"  # nothing else to arrange
    CHANGE = "change"  # ask again (from /forums)


@dataclass(frozen=True)
class InterpretButton(CallbackData):
    """Interpretation into a supported language; packs as `ndi:<forum id>:<language>`."""

    prefix = "ndi"
    forum_id: int
    language: OtherLanguage


@dataclass(frozen=True)
class NeedsButton(CallbackData):
    """The other answers about needs; packs as `ndc:<choice>:<forum id>`."""

    prefix = "ndc"
    choice: NeedsChoice
    forum_id: int


@dataclass(frozen=True)
class NeedsListButton(CallbackData):
    """Staff open the list of needs with names; packs as `ndl:<forum id>`."""

    prefix = "ndl"
    forum_id: int


PROBLEMS: dict[NeedsProblem, LazyText] = {
    NeedsProblem.EMPTY: lazy_pgettext(
        "needs", "I could not read any text there. Please write it again."
    ),
    NeedsProblem.TOO_LONG: lazy_pgettext(
        "needs", "That is too long: at most {limit} characters, please. Nothing was changed."
    ),
    NeedsProblem.NOT_COMING: lazy_pgettext(
        "needs", "You are not registered for this forum, so there is nothing to arrange."
    ),
    NeedsProblem.PAST: lazy_pgettext("needs", "This forum has already taken place."),
}


def problem_text(t: Translator, problem: NeedsProblem, limit: int = MAX_NEEDS) -> str:
    return t.pgettext(*PROBLEMS[problem], limit=limit)


def language_name(t: Translator, value: str) -> str:
    """A supported language in the reader's language; a typed one as written."""
    if value in INTERPRETED:
        return Locale.parse(value).get_display_name(t.language) or value
    return value


# -- the person coming ------------------------------------------------------------------


def question(t: Translator, forum: Forum) -> tuple[str, list[tuple[Button, ...]]]:
    """The first question, interpretation: its text and buttons."""
    text = t.pgettext(
        "needs", "Do you need <b>interpretation</b> at the forum? Choose a language, or say "
        "that none is needed.",
    )  # fmt: skip
    languages = [
        InterpretButton(forum.id, OtherLanguage(code)).button(native_name(code))
        for code in INTERPRETED
    ]
    rows: list[tuple[Button, ...]] = [
        (NeedsButton(NeedsChoice.NONE, forum.id).button(
            t.pgettext("needs", "No interpretation needed")),),
        *(tuple(languages[i : i + 2]) for i in range(0, len(languages), 2)),
        (NeedsButton(NeedsChoice.OTHER, forum.id).button(
            t.pgettext("needs", "Another language…")),),
    ]  # fmt: skip
    return text, rows


def change_row(t: Translator, forum_id: int) -> tuple[Button, ...]:
    """Under a forum in /forums, for someone coming."""
    label = t.pgettext("needs", "♿ Interpretation and needs")
    return (NeedsButton(NeedsChoice.CHANGE, forum_id).button(label),)


def _ask_other_needs(turn: Turn, forum_id: int) -> None:
    text = turn.t.pgettext(
        "needs",
        "Anything else we should arrange (step-free access, hearing loop, childcare …)? "
        "Write it, or press Nothing.",
    )
    nothing = NeedsButton(NeedsChoice.NOTHING, forum_id)
    turn.reply(text, [(nothing.button(turn.t.pgettext("needs", "Nothing")),)])


def noted(t: Translator, rsvp: Rsvp) -> str:
    """What is saved, in the person's words."""
    if rsvp.interpretation:
        lines = [
            t.pgettext(
                "needs",
                "✅ Noted. Interpretation: {language}.",
                language=language_name(t, rsvp.interpretation),
            )
        ]
    else:
        lines = [t.pgettext("needs", "✅ Noted. No interpretation.")]
    if rsvp.needs:
        lines.append(t.pgettext("needs", "Also: {needs}", needs=rsvp.needs))
    lines.append(t.pgettext("needs", "You can change this under /forums."))
    return "\n".join(lines)


async def _begin(context: CustomContext, turn: Turn, forum_id: int, step: str) -> None:
    person = turn.update.effective_user
    if person is not None:
        await conversations.begin(
            turn.session, person.id, Flow.NEEDS, context.now(), step=step, subject_id=forum_id
        )


@with_turn
async def interpret_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = InterpretButton.parse(query.data if query else None)
    if query is None or button is None or button.language not in INTERPRETED:
        return  # answered silently: no such choice was ever offered
    await _interpretation(context, turn, button.forum_id, str(button.language))


@with_turn
async def needs_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = NeedsButton.parse(query.data if query else None)
    if query is None or button is None:
        return
    forum_id, t = button.forum_id, turn.t
    if button.choice is NeedsChoice.NONE:
        await _interpretation(context, turn, forum_id, needs.NO_INTERPRETATION)
    elif button.choice is NeedsChoice.NOTHING:
        await _other_needs(context, turn, forum_id, None)
    elif await _still_coming(turn, forum_id, context):
        turn.answer()
        if button.choice is NeedsChoice.OTHER:
            turn.drop_buttons(NeedsButton, echo=True)
            turn.drop_buttons(InterpretButton)
            await _begin(context, turn, forum_id, LANGUAGE_STEP)
            turn.reply(turn.t.pgettext("needs", "Which language? Write its name."))
        else:
            forum = await repo.get_forum(turn.session, forum_id)
            assert forum is not None
            await conversations.end(turn.session, query.from_user.id, Flow.NEEDS)
            title = f"<b>{escape(text_in(forum, t.language)[0])}</b>"
            text, rows = question(t, forum)
            turn.reply(f"{title}\n{text}", rows)


async def _still_coming(turn: Turn, forum_id: int, context: CustomContext) -> bool:
    """True if the person may answer about needs for this forum; else they are told."""
    person = turn.update.effective_user
    try:
        await needs.coming(turn.session, forum_id, person.id if person else 0, context.now())
    except NeedsError as error:
        turn.answer(problem_text(turn.t, error.problem), alert=True)
        return False
    return True


async def _interpretation(
    context: CustomContext, turn: Turn, forum_id: int, language: str
) -> None:
    person = turn.update.effective_user
    try:
        await needs.set_interpretation(
            turn.session, forum_id, person.id if person else 0, language, context.now()
        )
    except NeedsError as error:
        turn.answer(problem_text(turn.t, error.problem), alert=True)
        return
    turn.answer()
    if turn.update.callback_query is not None:
        turn.drop_buttons(InterpretButton, echo=True)
        turn.drop_buttons(NeedsButton, echo=True)
    await _begin(context, turn, forum_id, NEEDS_STEP)
    _ask_other_needs(turn, forum_id)


async def _other_needs(
    context: CustomContext, turn: Turn, forum_id: int, text: str | None
) -> bool:
    """Save "anything else" (None: nothing); a refusal is explained (True: the text was
    taken, either way)."""
    person = turn.update.effective_user
    user_id = person.id if person else 0
    try:
        rsvp = await needs.set_needs(turn.session, forum_id, user_id, text, context.now())
    except NeedsError as error:
        if turn.update.callback_query is not None:
            turn.answer(problem_text(turn.t, error.problem), alert=True)
        else:
            turn.reply(problem_text(turn.t, error.problem, MAX_NEEDS))
        if error.problem not in {NeedsProblem.EMPTY, NeedsProblem.TOO_LONG}:
            await conversations.end(turn.session, user_id, Flow.NEEDS)  # nothing more to take
        return True
    turn.answer()
    if turn.update.callback_query is not None:
        turn.drop_buttons(NeedsButton, echo=True)
    await conversations.end(turn.session, user_id, Flow.NEEDS)
    turn.reply(noted(turn.t, rsvp))
    return True


async def take_text(
    context: CustomContext, turn: Turn, asked: Conversation, message: Message
) -> bool:
    """A typed language or typed needs (sent here by the router); False once the question
    is a day old: the text is then a question again."""
    forum_id, text = asked.subject_id or 0, message.text or ""
    if context.now() - asked.updated_at > WINDOW:
        return False
    if asked.step != LANGUAGE_STEP:
        return await _other_needs(context, turn, forum_id, text)
    try:
        language = needs.clean_language(text)
        await needs.set_interpretation(
            turn.session, forum_id, asked.user_id, language, context.now()
        )
    except NeedsError as error:
        turn.reply(problem_text(turn.t, error.problem, MAX_LANGUAGE))
        if error.problem not in {NeedsProblem.EMPTY, NeedsProblem.TOO_LONG}:
            await conversations.end(turn.session, asked.user_id, Flow.NEEDS)
        return True
    asked.step, asked.updated_at = NEEDS_STEP, context.now()
    _ask_other_needs(turn, forum_id)
    return True


# -- staff --------------------------------------------------------------------------------


def summary_text(t: Translator, summary: needs.Summary) -> str:
    """ "Interpretation: Arabic 3, Finnish 1; other needs: 2", language names in the
    reader's language."""
    languages = ", ".join(
        f"{language_name(t, value)} {n}" for value, n in summary.interpretation
    ) or t.pgettext("needs", "none")
    return t.pgettext(
        "needs", "♿ Interpretation: {languages}; other needs: {other}",
        languages=languages, other=summary.other,
    )  # fmt: skip


def list_button(t: Translator, forum_id: int) -> tuple[Button, ...]:
    label = t.pgettext("needs", "♿ Who needs what")
    return (NeedsListButton(forum_id).button(label),)


def render_summary(t: Translator, forum: Forum, summary: needs.Summary) -> Rendered | None:
    """Staff's summary a week before (nothing once the forum is cancelled)."""
    if forum.status != repo.PUBLISHED:
        return None
    heading = t.pgettext(
        "needs", "<b>Access needs for {title}</b> (those coming or on the waitlist):",
        title=text_in(forum, t.language)[0],
    )  # fmt: skip
    return Rendered(
        t.directional(f"{heading}\n{summary_text(t, summary)}"), (list_button(t, forum.id),)
    )


@with_turn
async def list_button_pressed(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = NeedsListButton.parse(query.data if query else None)
    forum = (
        await staff_forum(update, context, turn, button.forum_id, reviewers=True)
        if button
        else None
    )
    if forum is None:
        return
    t = turn.t
    heading = t.pgettext(
        "needs", "<b>Access needs for {title}</b>", title=text_in(forum, t.language)[0]
    )
    lines = [heading] + [
        _person_line(t, rsvp) for rsvp in await needs.with_needs(turn.session, forum.id)
    ]
    if len(lines) == 1:
        lines.append(t.pgettext("needs", "Nobody coming has asked for anything."))
    for part in split_message("\n".join(lines)):  # many people: as many messages as needed
        turn.reply(part)


def _person_line(t: Translator, rsvp: Rsvp) -> str:
    person = Markup('<a href="tg://user?id={0}">{0}</a>').format(rsvp.user_id)
    parts = []
    if rsvp.interpretation:
        parts.append(
            t.pgettext(
                "needs",
                "interpretation: {language}",
                language=language_name(t, rsvp.interpretation),
            )
        )
    if rsvp.needs:
        parts.append(t.pgettext("needs", "other: {needs}", needs=rsvp.needs))
    waiting = Markup(t.pgettext("needs", " (waitlist)")) if rsvp.status == WAITLIST else ""  # noqa: S704
    return t.pgettext(
        "needs", "• {person}{waiting}: {needs}",
        person=person, waiting=waiting, needs=Markup("; ").join(Markup(p) for p in parts),  # noqa: S704
    )  # fmt: skip


def register(app: IdeApplication) -> None:
    app.add_handler(CallbackQueryHandler(interpret_button, pattern=InterpretButton.matches))
    app.add_handler(CallbackQueryHandler(needs_button, pattern=NeedsButton.matches))
    app.add_handler(CallbackQueryHandler(list_button_pressed, pattern=NeedsListButton.matches))
