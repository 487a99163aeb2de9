"""Who is staff, checked on the server for every staff command and button."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.context import CustomContext
from storage import applications as store

if TYPE_CHECKING:
    from handlers.turn import Turn  # which imports this module

log = logging.getLogger(__name__)


async def is_reviewer(context: CustomContext, session: AsyncSession, user_id: int) -> bool:
    """ADMIN_IDS, or a reviewer role given with `idebot staff add`."""
    return (
        context.settings.is_admin(user_id) or await store.staff_role(session, user_id) is not None
    )


async def admit(
    update: Update, context: CustomContext, turn: Turn, *, reviewers: bool = False
) -> bool:
    """True for staff (admins; with `reviewers`, reviewers too). Anyone else is told so,
    and the attempt is logged."""
    person = update.effective_user
    if person is not None and (
        context.settings.is_admin(person.id)
        or (reviewers and await is_reviewer(context, turn.session, person.id))
    ):
        return True
    message = update.effective_message
    what = update.callback_query.data if update.callback_query else message.text if message else ""
    log.warning("user %s refused: %r is for staff", person.id if person else None, what)
    text = turn.t.pgettext("staff", "This command is for municipal staff.")
    if update.callback_query:
        turn.answer(text, alert=True)
    else:
        turn.reply(text)
    return False
