"""/gaps for staff: what the bot could not answer, and what did not help, by language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from markupsafe import escape
from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.context import CustomContext, IdeApplication
from bot.i18n import Translator, native_name
from handlers import staff
from handlers.entries import send_long
from handlers.turn import Turn, with_turn
from storage import questions
from storage.models import Question, utcnow

PERIOD = timedelta(days=30)
PER_LANGUAGE = 20


@with_turn
async def gaps_command(update: Update, context: CustomContext, turn: Turn) -> None:
    if not await staff.admit(update, context, turn):
        return
    pack = context.settings.content_pack
    found = await questions.gaps(turn.session, utcnow() - PERIOD, pack)
    if not found:
        text = turn.t.pgettext("gaps", "No unanswered or unhelpful questions in the last 30 days.")
        turn.reply(text)
        return
    counts = await questions.feedback_counts(turn.session, pack)
    await send_long(turn, report(turn.t, found, counts), ())


def report(
    t: Translator,
    found: Sequence[Question],
    counts: dict[tuple[str, str], tuple[int, int]],
) -> str:
    """The questions by language, newest first, then 👍/👎 per entry and language."""
    parts = [t.pgettext("gaps", "<b>Unanswered and unhelpful questions, last 30 days</b>")]
    for language in sorted({q.language for q in found}):
        parts.append(_language_part(t, language, [q for q in found if q.language == language]))
    rated = [(key, votes) for key, votes in sorted(counts.items()) if any(votes)]
    if rated:
        lines = [
            t.pgettext("gaps", "<b>Did the answers help?</b> (👍 / 👎 per entry and language)")
        ]
        lines += [
            f"{escape(entry)} ({language}): 👍 {up} / 👎 {down}"
            for (entry, language), (up, down) in rated
        ]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _language_part(t: Translator, language: str, asked: Sequence[Question]) -> str:
    lines = [
        t.npgettext(
            "gaps",
            "<b>{language}</b>: {n} question",
            "<b>{language}</b>: {n} questions",
            len(asked),
            language=native_name(language),
        )
    ]
    for question in asked[:PER_LANGUAGE]:
        mark = "👎" if question.helpful is False else "?"
        when = t.datetime(question.created_at, "d MMM")
        lines.append(f"{mark} {escape(question.text)} <i>({escape(when)})</i>")
    return "\n".join(lines)


def register(app: IdeApplication) -> None:
    app.add_handler(CommandHandler("gaps", gaps_command, filters=filters.ChatType.PRIVATE))
