"""Where a message without a command goes: an answer someone was asked for, the next field
of an application form, or else a question about the agreement."""

from __future__ import annotations

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.context import CustomContext, IdeApplication
from handlers import apply, ask, review
from handlers.fallback import other_input_reply
from handlers.turn import Turn, with_turn
from storage import applications as store


@with_turn
async def incoming(update: Update, context: CustomContext, turn: Turn) -> None:
    message, person = update.effective_message, update.effective_user
    if message is None or person is None:
        return
    pending = await store.get_pending(turn.session, person.id)
    if pending is not None and message.text:
        await review.take_input(context, turn, pending, message.text, person.id)
        return
    draft = await store.current_draft(turn.session, person.id)
    if draft is not None and not draft.paused:
        await apply.receive(context, turn, draft, message)
    elif message.text:
        await ask.respond(context, turn, person.id, message.text)
    else:
        await other_input_reply(turn)


def register(app: IdeApplication) -> None:
    # After every command handler: anything else a person writes in a private chat.
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & ~filters.COMMAND, incoming))
