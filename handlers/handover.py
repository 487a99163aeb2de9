"""Handing a question over to the municipality's contact point, with the asker's consent,
and relaying the staff's reply back. Staff see the question only, never who asked."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.buttons import Button, CallbackData
from bot.context import CustomContext, IdeApplication
from bot.i18n import Translator, native_name
from bot.text import clean_paragraphs, shorten
from bot.textsplit import split_message
from handlers.fallback import answer_stale
from handlers.turn import Turn, with_turn
from storage import questions, users
from storage.models import Question

log = logging.getLogger(__name__)

QUOTED = 200  # characters of the question quoted above the answer


@dataclass(frozen=True)
class QuestionButton(CallbackData):
    """A button about one of the presser's own questions (the kinds below)."""

    question: int


@dataclass(frozen=True)
class OfferHandover(QuestionButton):
    """📨 Ask the municipality: asks for consent."""

    prefix = "ho"


@dataclass(frozen=True)
class SendHandover(QuestionButton):
    """Consent given: send the question to the contact point."""

    prefix = "hs"


@dataclass(frozen=True)
class CancelHandover(QuestionButton):
    """Do not send it."""

    prefix = "hc"


def contact_line(context: CustomContext, t: Translator) -> str:
    """How to reach the contact point directly, when e-mail or phone are configured."""
    settings = context.settings
    ways = " · ".join(way for way in (settings.contact_email, settings.contact_phone) if way)
    if not ways:
        return ""
    return t.pgettext(
        "handover",
        "You can also contact {contact}: {ways}",
        contact=settings.contact_name,
        ways=ways,
    )


def offer_row(context: CustomContext, t: Translator, question_id: int) -> list[list[Button]]:
    if context.settings.contact_chat_id is None:
        return []
    label = t.pgettext("handover", "📨 Ask the municipality")
    return [[OfferHandover(question_id).button(label)]]


async def _own_question(update: Update, turn: Turn, kind: type[QuestionButton]) -> Question | None:
    """The question a pressed button of `kind` names, if the presser asked it; else None
    (and the press is answered as stale)."""
    query = update.callback_query
    button = kind.parse(query.data) if query else None
    question = await questions.get_question(turn.session, button.question) if button else None
    if question is None or query is None or question.user_id != query.from_user.id:
        answer_stale(turn)
        return None
    return question


@with_turn
async def offer_button(update: Update, context: CustomContext, turn: Turn) -> None:
    question = await _own_question(update, turn, OfferHandover)
    if question is None:
        return
    text = turn.t.pgettext(
        "handover",
        "I can send your question to {contact}. They will answer here, through me. They see "
        "your question only, not your name or phone number. Send it?",
        contact=context.settings.contact_name,
    )
    keyboard = [
        [
            SendHandover(question.id).button(turn.t.pgettext("handover", "✅ Send")),
            CancelHandover(question.id).button(turn.t.pgettext("handover", "✖ Don't send")),
        ]
    ]
    turn.reply(text, keyboard)


@with_turn
async def send_button(update: Update, context: CustomContext, turn: Turn) -> None:
    question = await _own_question(update, turn, SendHandover)
    chat_id = context.settings.contact_chat_id
    if question is None or chat_id is None:
        return
    if question.forwarded_message_id is None:  # not twice, however often it is pressed
        _forward(context, turn, question, chat_id)
    turn.edit(turn.t.pgettext("handover", "Sent. The answer will come here in this chat."))


def _forward(context: CustomContext, turn: Turn, question: Question, chat_id: int) -> None:
    """The question (not who asked) to the contact chat, in the default language; staff
    reply to that message to answer."""
    staff = context.i18n.translator(context.settings.default_language)
    text = staff.pgettext(
        "handover",
        "<b>Question #{number}</b> from the chat ({language}):\n\n{question}\n\n"
        "<i>Reply to this message to answer; the bot passes your reply on.</i>",
        number=question.id,
        language=native_name(question.language),
        question=question.text,
    )
    question_id = question.id

    async def forwarded(session: AsyncSession, message_id: int) -> None:
        await questions.mark_forwarded(session, question_id, chat_id, message_id)

    turn.send(chat_id, staff.directional(text), on_sent=forwarded)


@with_turn
async def cancel_button(update: Update, context: CustomContext, turn: Turn) -> None:
    if await _own_question(update, turn, CancelHandover) is not None:
        turn.edit(turn.t.pgettext("handover", "All right, I did not send it."))


@with_turn
async def staff_reply(update: Update, context: CustomContext, turn: Turn) -> None:
    """A reply in the contact chat to a handed-over question goes to the person who asked."""
    message = update.effective_message
    original = message.reply_to_message if message else None
    if message is None or original is None or not message.text:
        return
    question = await questions.find_forwarded(turn.session, message.chat_id, original.message_id)
    if question is None:
        return  # staff talking among themselves
    asker = await users.get_user(turn.session, question.user_id)
    t = context.i18n.translator(asker.language if asker else question.language)
    text = t.pgettext(
        "handover",
        "<b>Answer from {contact}</b> to your question “{question}”:\n\n{answer}",
        contact=context.settings.contact_name,
        question=shorten(question.text, QUOTED),
        answer=clean_paragraphs(message.text),
    )
    if asker is not None and asker.blocked:
        log.info("question %s: the asker has blocked the bot", question.id)
        turn.reply(turn.t.pgettext("handover", "Not delivered: the person has blocked the bot."))
        return
    for part in split_message(t.directional(text)):  # a long answer in as many as it needs
        turn.send(question.user_id, part)
    await questions.mark_answered(turn.session, question)
    turn.reply(turn.t.pgettext("handover", "✓ Delivered to the person who asked."))


def register(app: IdeApplication) -> None:
    app.add_handler(CallbackQueryHandler(offer_button, pattern=OfferHandover.matches))
    app.add_handler(CallbackQueryHandler(send_button, pattern=SendHandover.matches))
    app.add_handler(CallbackQueryHandler(cancel_button, pattern=CancelHandover.matches))
    settings = app.bot_data.settings
    if settings and settings.contact_chat_id is not None:
        staff_chat = filters.Chat(settings.contact_chat_id)
        app.add_handler(MessageHandler(staff_chat & filters.REPLY & filters.TEXT, staff_reply))
