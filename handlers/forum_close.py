"""What the staff card of a forum shows beside its answers: the summary of access needs,
"Write minutes" once it has started, and the close report (with a CSV) once it has ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel.numbers import format_decimal
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.buttons import Button, CallbackData
from bot.context import CustomContext, IdeApplication
from bot.forums import minutes, needs, report
from bot.i18n import Translator
from bot.text import shorten
from handlers import forum_needs
from handlers.minutes import card_row
from handlers.staff_forum import staff_forum
from handlers.turn import Turn, with_turn
from storage import forums as repo
from storage.models import Forum

CARD_COMMENTS = 3  # shown on the card, each shortened; all of them are in the CSV
COMMENT_CHARS = 150


@dataclass(frozen=True)
class ReportButton(CallbackData):
    """The close report as CSV; packs as `frc:<forum id>`."""

    prefix = "frc"
    forum_id: int


async def card_extras(
    session: AsyncSession, t: Translator, forum: Forum, now: datetime
) -> tuple[str, list[tuple[Button, ...]]]:
    """Text to add under the card, and its buttons."""
    if forum.status != repo.PUBLISHED:
        return "", []
    parts = [forum_needs.summary_text(t, await needs.summary(session, forum.id))]
    rows = [forum_needs.list_button(t, forum.id)]
    if forum.minutes_sent_at is not None:
        sent = t.datetime(forum.minutes_sent_at, "d MMMM y, HH:mm")
        parts.append(t.pgettext("forum report", "📝 Minutes sent {when}.", when=sent))
    elif minutes.can_write(forum, now):
        rows.append(card_row(t, forum))
    if forum.ends_at <= now:
        parts.append(report_text(t, await report.close_report(session, forum.id)))
        label = t.pgettext("forum report", "⬇ Close report (CSV)")
        rows.append((ReportButton(forum.id).button(label),))
    return "\n\n".join(parts), rows


def report_text(t: Translator, figures: report.Report) -> str:
    average = (
        format_decimal(figures.average, "0.0", locale=t.locale)
        if figures.average is not None
        else "–"
    )
    lines = [
        t.pgettext("forum report", "<b>Close report</b>"),
        t.pgettext(
            "forum report", "Invited: {invited} · Answered: {answered} · Checked in: {came}",
            invited=figures.invited, answered=figures.answered, came=figures.checked_in,
        ),
        t.pgettext(
            "forum report", "Feedback: {rated} of {asked} asked · average {average} "
            "(1: {r1} · 2: {r2} · 3: {r3} · 4: {r4} · 5: {r5})",
            rated=figures.rated, asked=figures.asked, average=average,
            r1=figures.ratings[1], r2=figures.ratings[2], r3=figures.ratings[3],
            r4=figures.ratings[4], r5=figures.ratings[5],
        ),
        t.pgettext(
            "forum report", "Organisations represented: {n}", n=figures.organisations
        ),
    ]  # fmt: skip
    shown = figures.comments[:CARD_COMMENTS]
    lines += [t.pgettext("forum report", "💬 “{comment}”", comment=shorten(c, COMMENT_CHARS))
              for c in shown]  # fmt: skip
    more = len(figures.comments) - len(shown)
    if more:
        lines.append(
            t.npgettext(
                "forum report",
                "… and {n} more comment in the CSV.",
                "… and {n} more comments in the CSV.",
                more,
            )
        )
    return "\n".join(lines)


@with_turn
async def report_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = ReportButton.parse(query.data if query else None)
    forum = await staff_forum(update, context, turn, button.forum_id) if button else None
    if forum is None:
        return
    figures = await report.close_report(turn.session, forum.id)
    data = report.report_csv(figures, forum, context.settings.zone, context.now())
    turn.document((f"forum-{forum.id}-report.csv", data))


def register(app: IdeApplication) -> None:
    app.add_handler(CallbackQueryHandler(report_button, pattern=ReportButton.matches))
