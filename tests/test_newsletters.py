"""Newsletters without Telegram: what text is taken, and who it is queued for, once."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from bot import newsletters
from bot.forums.notices import Staff
from bot.newsletters import MAX_TEXT, NewsletterError, NewsletterProblem
from storage.models import Newsletter, User
from tests.forum_domain import NOW, database, people, rows


@pytest.mark.parametrize(
    ("text", "problem"),
    [("", NewsletterProblem.EMPTY), (" \n ", NewsletterProblem.EMPTY),
     ("x" * (MAX_TEXT + 1), NewsletterProblem.TOO_LONG)],
)  # fmt: skip
def test_an_empty_or_too_long_text_is_refused(text: str, problem: NewsletterProblem) -> None:
    with pytest.raises(NewsletterError) as raised:
        newsletters.checked(text)
    assert raised.value.problem is problem


def test_a_text_is_kept_without_surrounding_space() -> None:
    assert newsletters.checked("  Hej!\n") == "Hej!"
    assert newsletters.checked("x" * MAX_TEXT) == "x" * MAX_TEXT


async def test_the_first_text_is_the_swedish_and_others_are_added(database_url: str) -> None:
    async with database(database_url) as db, db.transaction() as session:
        letter = await newsletters.write(session, None, "sv", "Hej!", 900)
        same = await newsletters.write(session, letter.id, "en", " Hello! ", 900)
        with pytest.raises(NewsletterError) as gone:
            await newsletters.write(session, letter.id + 1, "en", "Hello!", 900)

    assert same.id == letter.id
    assert same.texts == {"sv": "Hej!", "en": "Hello!"}
    assert gone.value.problem is NewsletterProblem.GONE, "discarded: not a new Swedish letter"


async def test_a_newsletter_is_queued_once_for_subscribers_who_have_not_blocked_the_bot(
    database_url: str,
) -> None:
    async with database(database_url) as db:
        await people(db, 1, 2, 3)
        await people(db, 4, subscribed=False)
        async with db.transaction() as session:
            await session.execute(update(User).where(User.telegram_id == 3).values(blocked=True))
            letter = await newsletters.start(session, "Hej!", 900)
            broadcast = await newsletters.send(session, letter, NOW, Staff(900, "en"))
            with pytest.raises(NewsletterError) as again:
                await newsletters.send(session, letter, NOW, Staff())
            with pytest.raises(NewsletterError) as changed:
                newsletters.add_language(letter, "en", "Hello!")

        assert broadcast.total == 2
        assert (broadcast.staff_chat_id, broadcast.staff_language) == (900, "en")
        assert letter.sent_at == NOW
        assert [row.recipient for row in await rows(db, newsletters.KIND)] == [1, 2]
        assert again.value.problem is NewsletterProblem.SENT
        assert changed.value.problem is NewsletterProblem.SENT


async def test_a_newsletter_without_swedish_is_not_sent(database_url: str) -> None:
    async with database(database_url) as db:
        await people(db, 1)
        async with db.transaction() as session:
            letter = Newsletter(texts={"en": "Hello!"}, created_by=900)
            session.add(letter)
            await session.flush()
            with pytest.raises(NewsletterError) as raised:
                await newsletters.send(session, letter, NOW, Staff())

        assert raised.value.problem is NewsletterProblem.NO_SWEDISH
        assert letter.sent_at is None
        assert await rows(db, newsletters.KIND) == []
