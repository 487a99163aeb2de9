"""Telegram unreachable for a minute: messages wait and go out after, none fails; replies
that Telegram refuses with 429 are waited out; what cannot wait goes to the outbox."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.delivery import OUTAGE_MAX_BACKOFF
from storage.models import Application, Outbox
from tests.conftest import ADMIN_ID
from tests.forum_helpers import Bot, started
from tests.test_apply import SWEDISH_ANSWERS, fill


async def outage(bot: Bot, seconds: int = 60) -> int:
    """Telegram refuses connections for half of `seconds`, then a proxy answers 502 for
    the rest; the worker runs a round every (test clock) second. Returns the API calls the
    worker made meanwhile."""
    calls = len(bot.api.requests)
    bot.api.go_offline("refused")
    for second in range(seconds):
        if second == seconds // 2:
            bot.api.go_offline("502")
        await bot.worker.deliver_due()
        bot.clock.offset += timedelta(seconds=1)
    bot.api.go_online()
    bot.clock.offset += timedelta(seconds=OUTAGE_MAX_BACKOFF)  # the next probe is due
    return len(bot.api.requests) - calls


async def test_a_broadcast_and_a_decision_wait_out_an_outage_and_none_fails(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        people = [await bot.subscriber(3000 + n, "en") for n in range(6)]
        await bot.staff.send("/start")
        applicant = bot.person(3100, "sv")
        await fill(applicant, SWEDISH_ANSWERS)
        await applicant.press("Skicka")
        await bot.deliver()  # the reviewers' cards
        card = bot.staff.last_with_buttons()
        await bot.publish(await bot.create_forum())
        await bot.staff.press("Approve", card)

        tries = await outage(bot)
        await bot.deliver()

        rows = await bot.scalars(select(Outbox))
        assert {row.status for row in rows} == {"sent"}, "nothing failed or expired"
        for person in people:
            assert sum("invited" in m.text for m in bot.api.bot_messages(person.chat_id)) == 1
        assert any("godkänd" in m.text for m in bot.api.bot_messages(applicant.chat_id))
        assert tries <= 12, "one probe at a time, backing off (1, 2, 4 … s), not every row"
        application = await bot.scalar(select(Application))
        assert application.status == "approved"


async def test_a_message_expires_when_an_outage_outlasts_its_deadline(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path, delivery_deadlines="newsletter=1m") as bot:
        reader = await bot.subscriber(3200, "sv")
        await bot.staff.send("/newsletter")
        await bot.staff.send("Hej alla föreningar!")
        await bot.staff.press("Send to")
        await bot.staff.press("Yes, send it")
        await outage(bot, seconds=90)
        await bot.deliver()

        row = await bot.scalar(select(Outbox).where(Outbox.recipient == reader.id))
        assert row.status == "expired"
        assert not any("Hej alla" in m.text for m in bot.api.bot_messages(reader.chat_id))
        assert "1 failed" in bot.api.bot_messages(ADMIN_ID)[-1].text


async def test_a_429_on_a_reply_is_waited_out_and_the_reply_arrives(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        person = bot.person(3300, "en")
        await person.send("/start")
        bot.api.refuse_next("sendMessage", retry_after=1)
        before = len(bot.api.requests)
        replies = await person.send("What is IOP?")

        assert len(replies) == 1
        assert "IOP" in replies[0].text
        assert "went wrong" not in replies[0].text
        tries = [m for m, _ in bot.api.requests[before:] if m == "sendMessage"]
        assert len(tries) == 2, "refused once, then sent"


async def test_a_429_on_staffs_confirmation_loses_nothing(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path, reply_budget_seconds=1) as bot:
        reader = await bot.subscriber(3400, "fi")
        await bot.staff.send("/newsletter")
        await bot.staff.send("Välkommen till dialogforum!")
        await bot.staff.press("Send to")
        bot.api.refuse_next("sendMessage", retry_after=2)
        await bot.staff.press("Yes, send it")  # the confirmation cannot go out within 1 s

        queued = await bot.scalar(select(Outbox).where(Outbox.kind == "reply"))
        assert queued is not None
        assert queued.recipient == ADMIN_ID
        bot.clock.offset += timedelta(seconds=3)
        await bot.deliver()  # (Telegram's 2 s pause is waited out in real time)

        assert any("Välkommen" in m.text for m in bot.api.bot_messages(reader.chat_id))
        staff_texts = [m.text for m in bot.api.bot_messages(ADMIN_ID)]
        assert any("Queued for 1 subscriber" in text for text in staff_texts)
        assert not any("went wrong" in text for text in staff_texts)
