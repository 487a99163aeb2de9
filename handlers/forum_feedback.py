"""Feedback after a forum: the question (sent through the outbox the day after), a rating
1–5 by button, then an optional comment (typed, or "Skip")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler

from bot.buttons import CallbackData
from bot.context import CustomContext, IdeApplication
from bot.conversations import Flow
from bot.forums import feedback
from bot.forums.feedback import MAX_COMMENT, RATINGS, FeedbackError, FeedbackProblem
from bot.forums.rules import text_in
from bot.i18n import LazyText, Translator, lazy_pgettext
from bot.outgoing import Rendered
from handlers.turn import Turn, with_turn
from storage import conversations
from storage import forums as repo
from storage.models import Conversation, Forum

WINDOW = timedelta(days=1)  # after this, typed text is a question again, not a comment


@dataclass(frozen=True)
class RatingButton(CallbackData):
    """A rating 1–5 of a forum; packs as `fbk:<forum id>:<rating>`."""

    prefix = "fbk"
    forum_id: int
    rating: int


@dataclass(frozen=True)
class SkipCommentButton(CallbackData):
    """No comment after the rating; packs as `fbs:<forum id>`."""

    prefix = "fbs"
    forum_id: int


PROBLEMS: dict[FeedbackProblem, LazyText] = {
    FeedbackProblem.NOT_ASKED: lazy_pgettext(
        "feedback", "Only those who came to this forum are asked about it. Thank you anyway!"
    ),
    FeedbackProblem.RATING: lazy_pgettext("feedback", "Please choose a number from 1 to 5."),
    FeedbackProblem.CLOSED: lazy_pgettext("feedback", "Feedback on this forum has closed."),
    FeedbackProblem.EMPTY: lazy_pgettext(
        "feedback", "I could not read any text there. Write your comment, or press Skip."
    ),
    FeedbackProblem.TOO_LONG: lazy_pgettext(
        "feedback", "That is too long: at most {limit} characters, please. Nothing was changed."
    ),
}


def problem_text(t: Translator, problem: FeedbackProblem) -> str:
    return t.pgettext(*PROBLEMS[problem], limit=MAX_COMMENT)


def render_request(t: Translator, forum: Forum) -> Rendered | None:
    """The question, in the reader's language (nothing once the forum is cancelled)."""
    if forum.status != repo.PUBLISHED:
        return None
    text = t.pgettext(
        "feedback", "Thank you for coming to <b>{title}</b> on {day}! How was it? Choose from "
        "1 (poor) to 5 (very good).",
        title=text_in(forum, t.language)[0], day=t.date(forum.starts_at.astimezone(t.zone)),
    )  # fmt: skip
    row = tuple(RatingButton(forum.id, n).button(str(n)) for n in RATINGS)
    return Rendered(t.directional(text), (row,))


@with_turn
async def rating_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = RatingButton.parse(query.data if query else None)
    if query is None or button is None:
        return
    try:
        await feedback.rate(
            turn.session, button.forum_id, query.from_user.id, button.rating, context.now()
        )
    except FeedbackError as error:
        turn.answer(problem_text(turn.t, error.problem), alert=True)
        return
    turn.answer(turn.t.pgettext("feedback", "Thank you!"))
    turn.drop_buttons(RatingButton, echo=True)
    await conversations.begin(
        turn.session, query.from_user.id, Flow.FEEDBACK, context.now(),
        subject_id=button.forum_id,
    )  # fmt: skip
    skip = SkipCommentButton(button.forum_id).button(turn.t.pgettext("feedback", "Skip"))
    text = turn.t.pgettext(
        "feedback", "Anything you would like to add, or that we could do better? Write it "
        "here, or press Skip.",
    )  # fmt: skip
    turn.reply(text, [(skip,)])


@with_turn
async def skip_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = SkipCommentButton.parse(query.data if query else None)
    if query is None or button is None:
        return
    turn.answer()
    turn.drop_buttons(SkipCommentButton, echo=True)
    where = await conversations.current(turn.session, query.from_user.id)
    if where is not None and where.flow == Flow.FEEDBACK and where.subject_id == button.forum_id:
        await conversations.end(turn.session, query.from_user.id)
    turn.reply(turn.t.pgettext("feedback", "Thank you for your feedback!"))


async def take_text(
    context: CustomContext, turn: Turn, asked: Conversation, message: Message
) -> bool:
    """The comment (sent here by the router); after a day, text is a question again."""
    if context.now() - asked.updated_at > WINDOW:
        return False
    try:
        await feedback.comment(
            turn.session, asked.subject_id or 0, asked.user_id, message.text or "", context.now()
        )
    except FeedbackError as error:
        turn.reply(problem_text(turn.t, error.problem))
        if error.problem not in {FeedbackProblem.EMPTY, FeedbackProblem.TOO_LONG}:
            await conversations.end(turn.session, asked.user_id)  # nothing more to take
        return True
    await conversations.end(turn.session, asked.user_id)
    turn.reply(turn.t.pgettext("feedback", "Thank you for your feedback!"))
    return True


def register(app: IdeApplication) -> None:
    app.add_handler(CallbackQueryHandler(rating_button, pattern=RatingButton.matches))
    app.add_handler(CallbackQueryHandler(skip_button, pattern=SkipCommentButton.matches))
