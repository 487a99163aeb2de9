"""The yearly follow-up as an organisation's contact meets it: the first message and the
reminders (outbox kinds, with a *Start* / *Continue* button), then one question at a time
(`bot.followup.questionnaire` saves each answer at once). Staff's side is
`handlers.followup_staff`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from markupsafe import escape
from telegram import Message, Update
from telegram.ext import CallbackQueryHandler

from bot.buttons import Button, CallbackData
from bot.content import AUTHORITATIVE, Pack
from bot.context import CustomContext, IdeApplication
from bot.conversations import Flow
from bot.followup import questionnaire as form
from bot.followup.questionnaire import ACTIVE, CHANGE, ChangeProblem, Score, State
from bot.followup.rounds import last_day
from bot.i18n import Translator
from bot.outgoing import Rendered
from handlers.entries import ShowEntry
from handlers.fallback import answer_stale
from handlers.turn import Turn, with_turn
from storage import conversations
from storage import followups as repo
from storage.models import Conversation, FollowUp, FollowUpAnswer, Member, Outbox

if TYPE_CHECKING:
    from handlers.notices import Batch  # which imports this module


@dataclass(frozen=True)
class ScoreButton(CallbackData):
    """A score for one principle of one organisation's questionnaire."""

    prefix = "fus"
    answer: int
    principle: str
    score: Score


class AnswerAction(StrEnum):
    OPEN = "open"  # start, or continue where it was left
    SKIP = "skip"  # nothing to say on what should change
    ACTIVE = "yes"  # still active: keep us in the register
    INACTIVE = "no"  # no longer active


@dataclass(frozen=True)
class AnswerButton(CallbackData):
    prefix = "fua"
    answer: int
    action: AnswerAction


@dataclass(frozen=True)
class Opened:
    """A contact's own answer row, with its round, organisation and the principles asked."""

    answer: FollowUpAnswer
    followup: FollowUp
    member: Member
    principles: list[str]  # entry ids, in the pack's order


# -- the first message and the reminders (outbox kinds) ------------------------------------------


async def render_invitation(row: Outbox, t: Translator, batch: Batch) -> Rendered | None:
    return await _render_notice(row, t, batch, reminder=False)


async def render_reminder(row: Outbox, t: Translator, batch: Batch) -> Rendered | None:
    return await _render_notice(row, t, batch, reminder=True)


async def _render_notice(
    row: Outbox, t: Translator, batch: Batch, *, reminder: bool
) -> Rendered | None:
    """None (not sent) once the answers are in, the round has closed, or the person asked
    is no longer the contact."""
    found = await repo.answer_with_context(
        batch.session, int((row.payload or {}).get("answer", 0))
    )
    if found is None:
        return None
    answer, followup, member = found
    if answer.submitted_at or followup.closed_at or answer.user_id != row.recipient:
        return None
    values = {
        "year": followup.year,
        "organisation": member.name,
        "date": t.date(last_day(followup, t.zone), "long"),
    }
    if reminder:
        text = t.pgettext(
            "followup",
            "⏰ <b>Reminder: the follow-up {year}</b>\n\nThe municipality is still waiting for "
            "the answers of <b>{organisation}</b>. The answers you have given are saved; "
            "it takes a few minutes. Please answer by {date}.",
            **values,
        )
        label = t.pgettext("followup", "▶️ Continue")
    else:
        text = t.pgettext(
            "followup",
            "📋 <b>The yearly follow-up of the agreement, {year}</b>\n\nYou are the contact "
            "person of <b>{organisation}</b>. How did the cooperation with the municipality "
            "work this year? A few short questions, one for each principle of the agreement: "
            "it takes a few minutes, and every answer is saved at once, so you can stop and "
            "continue later. Please answer by {date}.",
            **values,
        )
        label = t.pgettext("followup", "▶️ Start")
    keyboard = [[AnswerButton(answer.id, AnswerAction.OPEN).button(label)]]
    return Rendered(t.directional(text), keyboard)


# -- one step at a time -------------------------------------------------------------------------


def principle_ids(context: CustomContext, followup: FollowUp) -> list[str]:
    pack = _pack(context, followup)
    return [entry.id for entry in pack.principles(AUTHORITATIVE)]


def _pack(context: CustomContext, followup: FollowUp) -> Pack:
    return context.knowledge.packs.get(followup.pack, context.pack)


async def _open(
    context: CustomContext, turn: Turn, answer_id: int, user_id: int | None
) -> Opened | None:
    """The answer row, if it is this person's; else the press is stale."""
    found = await repo.answer_with_context(turn.session, answer_id)
    if found is None or user_id is None or found[0].user_id != user_id:
        return None
    answer, followup, member = found
    return Opened(answer, followup, member, principle_ids(context, followup))


def _closed_text(t: Translator, opened: Opened, state: State) -> str:
    if state is State.SUBMITTED:
        return t.pgettext(
            "followup", "Your answers have been sent. Thank you! They can no longer be changed."
        )
    return t.pgettext(
        "followup", "The follow-up {year} has closed. Thank you!", year=opened.followup.year
    )


def _score_label(t: Translator, score: Score) -> str:
    return t.pgettext("followup", "Don't know") if score is Score.DONT_KNOW else score.value


def _score_keyboard(
    t: Translator, answer_id: int, entry_id: str, chosen: int | None
) -> list[list[Button]]:
    def button(score: Score) -> Button:
        label = _score_label(t, score)
        return ScoreButton(answer_id, entry_id, score).button(
            f"✓ {label}" if chosen == score.stored else label
        )

    numbers = [button(score) for score in Score if score is not Score.DONT_KNOW]
    meaning = ShowEntry(entry_id).button(t.pgettext("followup", "📖 What does it say?"))
    return [numbers, [button(Score.DONT_KNOW)], [meaning]]


def _heading(t: Translator, opened: Opened, step: str) -> str:
    number, total = form.number(opened.answer, opened.principles, step)
    return t.pgettext(
        "followup",
        "<b>Follow-up {year}</b> · {organisation} · question {number} of {total}",
        year=opened.followup.year,
        organisation=opened.member.name,
        number=number,
        total=total,
    )


def _principle_text(context: CustomContext, t: Translator, opened: Opened, entry_id: str) -> str:
    entry = _pack(context, opened.followup).entry(t.language, entry_id)
    title = entry.title if entry else entry_id
    question = t.pgettext(
        "followup",
        "<b>{principle}</b>\n\nHow well did this work between you and the municipality "
        "this year? 1 = very badly, 5 = very well.",
        principle=title,
    )
    return f"{_heading(t, opened, entry_id)}\n\n{question}"


def show_step(context: CustomContext, turn: Turn, opened: Opened, step: str | None) -> None:
    t, answer = turn.t, opened.answer
    if step is None:
        turn.reply(_summary(context, t, opened))
    elif step == CHANGE:
        prompt = t.pgettext(
            "followup",
            "<b>What should change?</b>\n\nWrite it in your own words (at most 1000 "
            "characters), or press Skip.",
        )
        skip = AnswerButton(answer.id, AnswerAction.SKIP).button(t.pgettext("followup", "Skip"))
        turn.reply(f"{_heading(t, opened, step)}\n\n{prompt}", [[skip]])
    elif step == ACTIVE:
        prompt = t.pgettext(
            "followup",
            "<b>Is your organisation still active, and should it stay in the register?</b>",
        )
        keyboard = [
            [
                AnswerButton(answer.id, AnswerAction.ACTIVE).button(
                    t.pgettext("followup", "✅ Yes, keep us")
                ),
                AnswerButton(answer.id, AnswerAction.INACTIVE).button(
                    t.pgettext("followup", "No longer active")
                ),
            ]
        ]
        turn.reply(f"{_heading(t, opened, step)}\n\n{prompt}", keyboard)
    else:
        chosen = answer.scores.get(step)
        text = _principle_text(context, t, opened, step)
        turn.reply(text, _score_keyboard(t, answer.id, step, chosen))


def _summary(context: CustomContext, t: Translator, opened: Opened) -> str:
    answer, pack = opened.answer, _pack(context, opened.followup)
    lines = [
        t.pgettext(
            "followup",
            "🙏 <b>Thank you!</b> The answers of {organisation} have "
            "been sent to the municipality:",
            organisation=opened.member.name,
        )
    ]
    for entry_id in opened.principles:
        entry = pack.entry(t.language, entry_id)
        score = answer.scores.get(entry_id)
        shown = "–" if score is None else _score_label(t, _as_score(score))
        lines.append(f"• {escape(entry.title if entry else entry_id)}: {escape(shown)}")
    lines.append(t.pgettext("followup", "What should change: {text}", text=answer.change or "–"))
    if answer.still_active:
        lines.append(t.pgettext("followup", "Still active: yes, it stays in the register."))
    else:
        lines.append(
            t.pgettext(
                "followup",
                "No longer active: staff at the municipality will remove {organisation} "
                "from the register.",
                organisation=opened.member.name,
            )
        )
    return "\n".join(lines)


def _as_score(stored: int) -> Score:
    return Score.DONT_KNOW if stored == form.DONT_KNOW else Score(str(stored))


async def _go_on(context: CustomContext, turn: Turn, opened: Opened) -> None:
    step = await form.arrive(turn.session, opened.answer, opened.principles, context.now())
    show_step(context, turn, opened, step)


async def _pressed(
    update: Update, context: CustomContext, turn: Turn, answer_id: int | None
) -> Opened | None:
    """The questionnaire a button names, still open; else the press is answered: stale (not
    theirs, or gone) or closed (sent, or past the deadline)."""
    person = update.effective_user
    opened = (
        await _open(context, turn, answer_id, person.id)
        if answer_id is not None and person
        else None
    )
    if opened is None:
        answer_stale(turn)
        return None
    state = form.state(opened.answer, opened.followup, context.now())
    if state is not State.OPEN:
        turn.answer(_closed_text(turn.t, opened, state), alert=True)
        return None
    return opened


@with_turn
async def answer_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = AnswerButton.parse(query.data if query else None)
    opened = await _pressed(update, context, turn, button.answer if button else None)
    if button is None or opened is None:
        return
    await _act(context, turn, opened, button.action)


async def _act(context: CustomContext, turn: Turn, opened: Opened, action: AnswerAction) -> None:
    t, now, answer = turn.t, context.now(), opened.answer
    if action is AnswerAction.OPEN:
        await _go_on(context, turn, opened)
        return
    if action is AnswerAction.SKIP:
        done = form.skip_change(answer, opened.principles, t.language, now)
    else:
        active = action is AnswerAction.ACTIVE
        done = form.finish(
            answer, opened.member, opened.principles, active, language=t.language, now=now
        )
    if not done:
        turn.answer(t.pgettext("followup", "That question has been answered already."))
        return
    turn.drop_buttons(AnswerButton, echo=True)
    await _go_on(context, turn, opened)


@with_turn
async def score_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = ScoreButton.parse(query.data if query else None)
    opened = await _pressed(update, context, turn, button.answer if button else None)
    if button is None or opened is None:
        return
    t, before = turn.t, opened.answer.scores.get(button.principle)
    scored = form.score(
        opened.answer,
        opened.principles,
        button.principle,
        button.score,
        language=t.language,
        now=context.now(),
    )
    if not scored.saved:
        answer_stale(turn)
        return
    if not scored.moved_on and before == button.score.stored:
        return  # pressed twice: nothing to change, on the screen either
    text = _principle_text(context, t, opened, button.principle)
    turn.edit(text, _score_keyboard(t, opened.answer.id, button.principle, button.score.stored))
    if scored.moved_on:
        await _go_on(context, turn, opened)
    else:
        turn.answer(
            t.pgettext("followup", "Changed to {score}.", score=_score_label(t, button.score))
        )


async def take_text(
    context: CustomContext, turn: Turn, where: Conversation, message: Message
) -> bool:
    """What should change, typed (sent here by the router). False: not at that question any
    more, so the text is a question about the agreement."""
    opened = await _open(context, turn, where.subject_id or 0, where.user_id)
    if opened is None:
        return False
    t, now = turn.t, context.now()
    state = form.state(opened.answer, opened.followup, now)
    if state is not State.OPEN:
        await conversations.end(turn.session, where.user_id, Flow.FOLLOWUP)
        turn.reply(_closed_text(t, opened, state))
        return True
    if form.current_step(opened.answer, opened.principles) != CHANGE:
        return False
    problem = form.write_change(
        opened.answer, opened.principles, message.text or "", t.language, now
    )
    if problem is ChangeProblem.EMPTY:
        turn.reply(t.pgettext("followup", "Please write a few words, or press Skip."))
    elif problem is ChangeProblem.TOO_LONG:
        turn.reply(
            t.pgettext(
                "followup",
                "That is longer than 1000 characters. Please shorten it; nothing was saved yet.",
            )
        )
    else:
        turn.reply(t.pgettext("followup", "✓ Saved."))
        await _go_on(context, turn, opened)
    return True


# -- privacy -------------------------------------------------------------------------------------


def privacy_lines(
    t: Translator, answers: Sequence[tuple[FollowUpAnswer, FollowUp, Member]]
) -> list[str]:
    """For /mydata: the follow-up answers the person gave for their organisation."""
    lines = []
    for answer, followup, member in answers:
        active = {True: t.pgettext("followup", "yes"), False: t.pgettext("followup", "no")}
        lines.append(
            t.pgettext(
                "followup",
                "Your answers to the follow-up {year} for {organisation}: {n} scores; what should "
                "change: {text}; still active: {active}. Deleting your data deletes what you "
                "wrote; the scores stay in the year's counts, without you.",
                year=followup.year,
                organisation=member.name,
                n=len(answer.scores),
                text=answer.change or "–",
                active="–" if answer.still_active is None else active[answer.still_active],
            )
        )
    return lines


def register(app: IdeApplication) -> None:
    app.add_handler(CallbackQueryHandler(answer_button, pattern=AnswerButton.matches))
    app.add_handler(CallbackQueryHandler(score_button, pattern=ScoreButton.matches))
