"""The one router for what a person types: the flow they are in gets it, else it is a
question about the agreement.

Which flow a person is in, and at which step, is one row of `conversations` (see
`bot.conversations.Flow`); this module is the only place that reads it for a message and
the only table of where each flow's text goes. A flow whose subject is gone (a draft
submitted or deleted meanwhile), or a staff flow of someone who is no longer staff, is
ended, and the text is taken as a question.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Message, Update
from telegram.ext import MessageHandler, filters

from bot.context import CustomContext, IdeApplication
from bot.conversations import STAFF_FLOWS, Flow
from handlers import (
    apply,
    ask,
    followup,
    followup_staff,
    forum_admin,
    forum_feedback,
    forum_needs,
    minutes,
    newsletter,
    review,
)
from handlers.fallback import other_input_reply
from handlers.turn import Turn, with_turn
from storage import conversations
from storage.models import Conversation

Take = Callable[[CustomContext, Turn, Conversation, Message], Awaitable[bool | None]]

ROUTES: dict[Flow, Take] = {  # False from a route: its subject is gone
    Flow.APPLICATION: apply.take_message,
    Flow.REJECT_REASON: review.take_input,
    Flow.QUESTION: review.take_input,
    Flow.ANSWER: review.take_input,
    Flow.NEW_FORUM: forum_admin.take_text,
    Flow.MOVE_FORUM: forum_admin.take_text,
    Flow.TRANSLATE_FORUM: forum_admin.take_text,
    Flow.NEWSLETTER: newsletter.take_text,
    Flow.NEEDS: forum_needs.take_text,
    Flow.FEEDBACK: forum_feedback.take_text,
    Flow.MINUTES: minutes.take_text,
    Flow.FOLLOWUP: followup.take_text,
    Flow.FOLLOWUP_DEADLINE: followup_staff.take_deadline,
}
TEXT_ONLY = frozenset(ROUTES) - {Flow.APPLICATION}  # the form also takes a PDF


@with_turn
async def incoming(update: Update, context: CustomContext, turn: Turn) -> None:
    message, person = update.effective_message, update.effective_user
    if message is None or person is None:
        return
    where = await conversations.current(turn.session, person.id)
    flow = _flow(context, where, person.id)
    if where is not None and flow in TEXT_ONLY and not message.text:
        await other_input_reply(turn)  # a sticker while a text is asked for: still asked
        return
    if where is not None and flow is not None:
        gone = await ROUTES[flow](context, turn, where, message) is False
        if not gone:
            return
    if where is not None:
        await conversations.end(turn.session, person.id)
    if message.text:
        await ask.respond(context, turn, person.id, message.text)
    else:
        await other_input_reply(turn)


def _flow(context: CustomContext, where: Conversation | None, user_id: int) -> Flow | None:
    """The flow the person is in and may still be in (None: none, or it ends)."""
    if where is None or where.flow not in set(Flow):
        return None
    flow = Flow(where.flow)
    return None if flow in STAFF_FLOWS and not context.settings.is_admin(user_id) else flow


def register(app: IdeApplication) -> None:
    # After every command handler: anything else a person writes in a private chat.
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & ~filters.COMMAND, incoming))
