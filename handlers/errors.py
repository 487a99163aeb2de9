"""The error handler: log with the update id, tell the person in their language."""

from __future__ import annotations

import logging
from contextlib import suppress

from telegram import Update

from bot.context import CustomContext, IdeApplication
from bot.i18n import Translator
from bot.outgoing import Rendered
from storage import users

log = logging.getLogger(__name__)


async def report_error(update: object, context: CustomContext) -> None:
    """Whatever failed was rolled back with its transaction; earlier steps stay saved."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    t = await _translator(update, context)
    text = t.pgettext(
        "errors",
        "Sorry, something went wrong on our side. Nothing you saved before is lost; "
        "please try again in a moment.",
    )
    sender, chat = context.sender, update.effective_chat.id
    with suppress(Exception):  # Telegram itself may be what failed
        if update.callback_query:
            await sender.answer(chat, update.callback_query.id, None, alert=False)
        await sender.send(chat, Rendered(t.directional(text)))


async def _translator(update: Update, context: CustomContext) -> Translator:
    person = update.effective_user
    code = person.language_code if person else None
    saved = None
    if person:
        try:
            async with context.db.transaction() as session:
                user = await users.get_user(session, person.id)
                saved = user.language if user else None
        except Exception:  # the database may be what failed; Telegram's language will do
            log.warning("could not read the language of user %s", person.id, exc_info=True)
    return context.i18n.resolve(saved, code)


def register(app: IdeApplication) -> None:
    app.add_error_handler(report_error)
