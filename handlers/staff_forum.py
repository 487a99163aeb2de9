"""The forum a staff button names, for every staff button about a forum: one check of who
pressed it and whether the forum is still there."""

from __future__ import annotations

from telegram import Update

from bot.context import CustomContext
from handlers import staff
from handlers.fallback import answer_stale
from handlers.turn import Turn
from storage import forums as repo
from storage.models import Forum


async def staff_forum(
    update: Update,
    context: CustomContext,
    turn: Turn,
    forum_id: int,
    *,
    reviewers: bool = False,
    published: bool = False,
    answer: bool = True,
) -> Forum | None:
    """The forum, or None when the presser is not staff (told so) or the forum is gone
    (or, with `published`, not published: the button is stale, and said to be). With
    `answer` the press is answered silently here; else the caller answers it."""
    if not await staff.admit(update, context, turn, reviewers=reviewers):
        return None
    forum = await repo.get_forum(turn.session, forum_id)
    if forum is None or (published and forum.status != repo.PUBLISHED):
        answer_stale(turn)
        return None
    if answer:
        turn.answer()
    return forum
