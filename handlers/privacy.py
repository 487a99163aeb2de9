"""/mydata shows what is stored about you; /deletemydata erases it (after a confirmation)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import privacy as personal_data
from bot.buttons import CallbackData
from bot.context import CustomContext, IdeApplication
from bot.i18n import Translator, native_name
from handlers import forum_needs
from handlers.followup import privacy_lines
from handlers.links import links_overview
from handlers.turn import Turn, with_turn
from storage import privacy
from storage.models import Application, Feedback, Rsvp, User
from storage.privacy import StoredData


class Choice(StrEnum):
    ERASE = "erase"
    KEEP = "keep"


@dataclass(frozen=True)
class Erasure(CallbackData):
    """The answer to "Delete your data?"."""

    prefix = "pv"
    choice: Choice


@with_turn
async def mydata_command(update: Update, context: CustomContext, turn: Turn) -> None:
    person = update.effective_user
    if person is None:
        return
    data = await privacy.stored_data(turn.session, person.id)
    turn.reply(overview(turn.t, data, context.settings.zone))


def overview(t: Translator, data: StoredData, zone: ZoneInfo) -> str:
    """Everything stored about the person, in plain words."""
    lines = [t.pgettext("privacy", "<b>What this bot stores about you</b>")]
    if data.user:
        lines.append(_about_user(t, data.user, zone))
    lines.append(
        t.npgettext(
            "privacy",
            "{n} question you asked (the text only).",
            "{n} questions you asked (the text only).",
            data.questions,
        )
    )
    lines.extend(_about_application(t, application) for application in data.applications)
    if data.forum_answers:
        lines.append(
            t.npgettext(
                "privacy",
                "Your answer to {n} dialogue forum.",
                "Your answers to {n} dialogue forums.",
                data.forum_answers,
            )
        )
    lines.extend(links_overview(t, data))
    lines.extend(_about_needs(t, rsvp) for rsvp in data.needs)
    lines.extend(_about_feedback(t, given) for given in data.feedback)
    lines.extend(privacy_lines(t, data.followups))
    if data.calendar_feed:
        lines.append(
            t.pgettext(
                "privacy",
                "The secret address of your calendar feed, which shows the forums you will "
                "come to (/calendar can stop it).",
            )
        )
    lines.append(t.pgettext("privacy", "Delete it with /deletemydata."))
    return "\n\n".join(lines)


def _about_user(t: Translator, user: User, zone: ZoneInfo) -> str:
    return t.pgettext(
        "privacy",
        "Your Telegram user id {id}, your language ({language}), when you first and last "
        "used the bot ({first} and {last}), and whether you subscribe to invitations "
        "({subscribed}).",
        id=user.telegram_id,
        language=native_name(user.language) if user.language else "–",
        first=t.date(user.first_seen.astimezone(zone).date()),
        last=t.date(user.last_seen.astimezone(zone).date()),
        subscribed=t.pgettext("privacy", "yes")
        if user.subscribed
        else t.pgettext("privacy", "no"),
    )


def _about_needs(t: Translator, rsvp: Rsvp) -> str:
    return t.pgettext(
        "privacy", "Access needs you gave for a dialogue forum: interpretation: {language}; "
        "other: {needs}.",
        language=forum_needs.language_name(t, rsvp.interpretation or "") or "–",
        needs=rsvp.needs or "–",
    )  # fmt: skip


def _about_feedback(t: Translator, given: Feedback) -> str:
    return t.pgettext(
        "privacy", "Your feedback on a dialogue forum: rating {rating}, comment: {comment}.",
        rating=given.rating or "–", comment=given.comment or "–",
    )  # fmt: skip


def _about_application(t: Translator, application: Application) -> str:
    return t.pgettext(
        "privacy",
        "Application {reference} for {name} ({status}), with the contact details you "
        "gave: {contact}, {email}, {phone}.",
        reference=application.reference or t.pgettext("privacy", "draft"),
        name=application.org_name or "–",
        status=application.status,
        contact=application.contact_name or "–",
        email=application.email or "–",
        phone=application.phone or "–",
    )


@with_turn
async def deletemydata_command(update: Update, context: CustomContext, turn: Turn) -> None:
    t = turn.t
    keyboard = [
        [
            Erasure(Choice.ERASE).button(t.pgettext("privacy", "🗑 Yes, delete my data")),
            Erasure(Choice.KEEP).button(t.pgettext("privacy", "Keep it")),
        ]
    ]
    text = t.pgettext(
        "privacy",
        "This deletes your language choice, subscription, questions and application drafts. "
        "Submitted applications keep the organisation's data the municipality must keep, but "
        "the contact person's name, role, e-mail and phone are removed. Delete?",
    )
    turn.reply(text, keyboard)


@with_turn
async def erase_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = Erasure.parse(query.data) if query else None
    if query is None or query.from_user is None or button is None:
        return
    if button.choice == Choice.KEEP:
        turn.edit(turn.t.pgettext("privacy", "Nothing was deleted."))
        return
    kept = await personal_data.erase(turn.session, query.from_user.id, context.now())
    text = turn.t.pgettext("privacy", "Your data has been deleted.")
    if kept:
        text += " " + turn.t.npgettext(
            "privacy",
            "{n} submitted application keeps the organisation's data, with the contact person "
            "anonymised.",
            "{n} submitted applications keep the organisation's data, with the contact person "
            "anonymised.",
            kept,
        )
    turn.edit(text)


def register(app: IdeApplication) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("mydata", mydata_command, filters=private))
    app.add_handler(CommandHandler("deletemydata", deletemydata_command, filters=private))
    app.add_handler(CallbackQueryHandler(erase_button, pattern=Erasure.matches))
