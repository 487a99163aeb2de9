"""One update, one turn: a database transaction, the person, and their language."""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest

from bot.context import CustomContext
from bot.i18n import Translator, normalise_language
from bot.telegram_html import utf16_length
from bot.textsplit import TELEGRAM_LIMIT
from storage import users
from storage.models import User

R = TypeVar("R")


@dataclass
class Turn:
    """What a handler needs beyond the update: `session` (committed when the handler
    returns, rolled back if it raises), the person's `user` row (private chats only) and
    the translator `t` for their language."""

    update: Update
    session: AsyncSession
    user: User | None
    t: Translator

    async def reply(self, text: str, keyboard: InlineKeyboardMarkup | None = None) -> Message:
        """Send an HTML message to the chat the update came from."""
        chat = self.update.effective_chat
        if chat is None:
            raise ValueError("this update has no chat to reply to")
        return await chat.send_message(
            self.t.directional(text), parse_mode=ParseMode.HTML, reply_markup=keyboard
        )

    async def edit(self, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
        """Replace the message whose button was pressed."""
        query = self.update.callback_query
        if query is None:
            raise ValueError("only a button press can edit its message")
        try:
            await query.edit_message_text(
                self.t.directional(text), parse_mode=ParseMode.HTML, reply_markup=keyboard
            )
        except BadRequest as error:
            if "not modified" not in error.message:  # a double tap shows the same thing twice
                raise

    async def drop_buttons(self, prefix: str, *, echo: bool = False) -> None:
        """Remove from the pressed message the rows with buttons whose data starts with
        `prefix` (a vote or a choice that has been made). With `echo` the pressed button's
        label stays under the text, so the chat shows what was chosen."""
        query = self.update.callback_query
        message = query.message if query else None
        markup = getattr(message, "reply_markup", None)
        if query is None or not isinstance(markup, InlineKeyboardMarkup):
            return
        rows = [
            row
            for row in markup.inline_keyboard
            if not any(str(button.callback_data or "").startswith(prefix) for button in row)
        ]
        buttons = (button for row in markup.inline_keyboard for button in row)
        pressed = next((b.text for b in buttons if b.callback_data == query.data), None)
        if echo and pressed and isinstance(message, Message) and message.text:
            mark = f"\n\n✓ {pressed}"
            if utf16_length(message.text + mark) <= TELEGRAM_LIMIT:  # as Telegram counts
                await query.edit_message_text(
                    f"{message.text_html}{html.escape(mark, quote=False)}",
                    parse_mode=ParseMode.HTML,
                    reply_markup=InlineKeyboardMarkup(rows),
                )
                return
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))


Handler = Callable[[Update, CustomContext, Turn], Coroutine[Any, Any, R]]


def with_turn(handler: Handler[R]) -> Callable[[Update, CustomContext], Coroutine[Any, Any, R]]:
    """Run `handler` inside one transaction, with the person and their translator."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: CustomContext) -> R:
        async with context.db.transaction() as session:
            turn = await open_turn(update, context, session)
            return await handler(update, context, turn)

    return wrapper


async def open_turn(update: Update, context: CustomContext, session: AsyncSession) -> Turn:
    """Record that a person was seen (private chats only) and resolve their language."""
    person = update.effective_user
    chat = update.effective_chat
    code = person.language_code if person else None
    user: User | None = None
    if person and chat and chat.type == ChatType.PRIVATE:
        user = await users.seen_user(session, person.id, normalise_language(code))
    elif person:
        user = await users.get_user(session, person.id)
    t = context.i18n.resolve(user.language if user else None, code)
    return Turn(update, session, user, t)
