"""The delivery worker: Telegram's limits, 429s, blocked users, crashes, several workers.

Where the pacing itself is the subject, the rate limiter runs on a `VirtualClock`: the
test moves time, so what is asserted about seconds does not depend on the machine."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.delivery import Worker
from bot.local_api import Event, LocalBotApi, LocalUser
from bot.outgoing import RateLimiter
from bot.sender import Sender
from handlers.notices import build_worker
from storage import outbox
from storage.models import Outbox, User
from tests.conftest import ADMIN_ID, VirtualClock
from tests.forum_helpers import Bot, Clock, started


def invitations(api: LocalBotApi, chat: int) -> int:
    return sum("invited" in m.text for m in api.bot_messages(chat))


def paced_worker(
    bot: Bot, clock: VirtualClock, *, rate: float = 30, chat_rate: float = 1
) -> Worker:
    """The bot's delivery worker, with a rate limiter on `clock`."""
    limiter = RateLimiter(rate, chat_rate, clock=clock.monotonic, sleep=clock.sleep)
    app = bot.app
    assert app.bot_data.db is not None
    assert app.bot_data.i18n is not None
    return build_worker(app, app.bot_data.db, app.bot_data.i18n, Sender(app.bot, limiter))


async def deliver_on(clock: VirtualClock, bot: Bot, worker: Worker) -> None:
    """Deliver until nothing is pending, moving `clock` on to each row that is due later."""
    for _ in range(1000):
        if await clock.run(worker.deliver_due()):
            continue
        async with bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
            due = await outbox.next_due(session)
        if due is None:
            return
        await clock.advance(max(0.0, (due - clock()).total_seconds()))
    raise AssertionError("the outbox did not empty")


async def subscribers(bot: Bot, first: int, count: int, language: str = "en") -> list[LocalUser]:
    """People who have said yes to invitations, made directly (the conversation that gets
    there is tested in test_forums.py)."""
    people = [bot.person(first + n, language) for n in range(count)]
    async with bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        session.add_all(
            User(telegram_id=p.id, language=language, subscribed=True, subscription_asked=True)
            for p in people
        )
    return people


def send_times(api: LocalBotApi, clock: VirtualClock) -> dict[int, list[float]]:
    """From now on: when (on `clock`) each chat was sent a message."""
    times: dict[int, list[float]] = {}

    def sent(event: Event) -> None:
        if event.kind == "sent" and event.message is not None:
            times.setdefault(event.message.chat_id, []).append(clock.monotonic())

    api.listeners.append(sent)
    return times


async def test_429s_are_waited_out_and_retried_so_nobody_is_missed_or_repeated(
    database_url: str, tmp_path: Path
) -> None:
    api, clock = LocalBotApi(inject_429=0.25, retry_after=1, seed=7), VirtualClock()
    async with started(database_url, tmp_path, api=api, clock=clock) as bot:  # type: ignore[arg-type]
        api.inject_429 = 0.0  # set up the people and the forum without faults
        people = await subscribers(bot, 2000, 8)
        forum_id = await bot.create_forum()
        await bot.publish(forum_id)
        api.inject_429 = 0.25
        await deliver_on(clock, bot, paced_worker(bot, clock))

        assert [invitations(api, p.chat_id) for p in people] == [1] * 8
        refused = [p for m, p in api.requests if m == "sendMessage" and p["chat_id"] >= 2000]
        assert len(refused) > 8, "some sends were refused with 429 and retried"
        assert clock.monotonic() >= 1.0, "retry_after was waited out"
        rows = await bot.scalars(select(Outbox).where(Outbox.kind == "announcement"))
        assert {row.status for row in rows} == {"sent"}
        assert all(row.message_id for row in rows)


async def test_blocked_users_are_marked_and_skipped_from_then_on(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        stays = await bot.subscriber(2100, "en")
        leaves = await bot.subscriber(2101, "en")
        bot.api.block(leaves.chat_id)  # a 403 on the next send
        await bot.publish(await bot.create_forum())
        await bot.deliver()
        assert await bot.scalar(select(User.blocked).where(User.telegram_id == 2101)) is True

        tries_before = sum(1 for m, p in bot.api.requests if p.get("chat_id") == 2101)
        await bot.publish(await bot.create_forum(title="Andra forumet"))
        await bot.deliver()

        assert sum(1 for m, p in bot.api.requests if p.get("chat_id") == 2101) == tries_before
        assert invitations(bot.api, stays.chat_id) == 2
        statuses = Counter(
            r.status for r in await bot.scalars(select(Outbox).where(Outbox.kind != "report"))
        )
        assert statuses == {"sent": 2, "blocked": 1}, "the second time, not even queued"
        reports = [m.text for m in bot.api.bot_messages(ADMIN_ID) if "delivered" in m.text]
        assert "1 of 2 delivered" in reports[0]
        assert "1 skipped" in reports[0]


async def test_a_my_chat_member_update_marks_a_person_blocked_and_unblocked(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        user = await bot.subscriber(2200, "sv")
        await user.block_bot()
        assert await bot.scalar(select(User.blocked).where(User.telegram_id == 2200)) is True
        since = len(bot.api.requests)
        await bot.publish(await bot.create_forum())
        await bot.deliver()
        assert invitations(bot.api, 2200) == 0
        assert not any(p.get("chat_id") == 2200 for m, p in bot.api.requests[since:])

        await user.unblock_bot()
        assert await bot.scalar(select(User.blocked).where(User.telegram_id == 2200)) is False


async def test_a_send_in_flight_at_a_crash_is_sent_again_and_recorded_as_unknown(
    database_url: str, tmp_path: Path
) -> None:
    api, clock = LocalBotApi(), Clock()
    async with started(database_url, tmp_path, api=api, clock=clock) as bot:
        people = await subscribers(bot, 2300, 5)
        await bot.publish(await bot.create_forum())
        # A worker claims two rows, marks them "sending", and dies before recording.
        async with bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
            in_flight = await outbox.claim(session, clock(), 2, "worker-that-died")
        assert len(in_flight) == 2

    clock.offset += timedelta(minutes=2)  # PostgreSQL: another worker's lease must run out
    async with started(database_url, tmp_path, api=api, clock=clock) as bot:
        await bot.deliver()
        rows = await bot.scalars(select(Outbox).where(Outbox.kind == "announcement"))

    assert [invitations(api, p.chat_id) for p in people] == [1] * 5
    assert {row.status for row in rows} == {"sent"}
    assert sorted(row.id for row in rows if row.in_doubt) == sorted(r.id for r in in_flight)
    assert "2 sent again after an interruption" in api.bot_messages(ADMIN_ID)[-1].text


async def test_the_worker_delivers_on_its_own_when_it_runs(
    database_url: str, tmp_path: Path
) -> None:
    async with started(
        database_url, tmp_path, delivery_worker=True, delivery_poll_seconds=0.05
    ) as bot:
        user = await bot.subscriber(2500, "en")
        invited = asyncio.Event()

        def arrived(event: Event) -> None:
            message = event.message
            if message and message.chat_id == user.chat_id and "invited" in message.text:
                invited.set()

        bot.api.listeners.append(arrived)
        await bot.publish(await bot.create_forum())
        await asyncio.wait_for(invited.wait(), timeout=20)  # nobody called `deliver`
        assert invitations(bot.api, user.chat_id) == 1


async def test_two_workers_never_send_the_same_row(postgres_url: str, tmp_path: Path) -> None:
    """Several workers need PostgreSQL's row locks (SQLite runs one worker)."""
    async with started(postgres_url, tmp_path, delivery_rate=50) as bot:
        people = await subscribers(bot, 2600, 40)
        await bot.publish(await bot.create_forum())
        other = build_worker(
            bot.app, bot.app.bot_data.db, bot.app.bot_data.i18n, bot.app.bot_data.sender
        )  # type: ignore[arg-type]
        await asyncio.gather(bot.worker.drain(), other.drain())

        assert [invitations(bot.api, p.chat_id) for p in people] == [1] * 40
        claimed_by = await bot.scalar(select(func.count(func.distinct(Outbox.claimed_by))))
        assert claimed_by == 2, "both workers took part"


async def test_the_worker_keeps_a_second_between_two_notices_to_one_person(
    database_url: str, tmp_path: Path
) -> None:
    clock = VirtualClock()
    async with started(database_url, tmp_path, clock=clock) as bot:  # type: ignore[arg-type]
        people = await subscribers(bot, 2700, 3)
        await bot.publish(await bot.create_forum())
        await bot.publish(await bot.create_forum(title="Andra forumet"))
        times = send_times(bot.api, clock)
        await deliver_on(clock, bot, paced_worker(bot, clock, chat_rate=1))

        for person in people:
            first, second = times[person.chat_id]
            assert second - first >= 1.0, "one message a second to a person"
            assert second - first < 1.5, "and the next goes as soon as it may"
        assert invitations(bot.api, people[0].chat_id) == 2


async def test_the_rate_limiter_keeps_the_overall_and_per_chat_rates() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(rate=50, chat_rate=1, clock=clock.monotonic, sleep=clock.sleep)
    taken: list[float] = []

    async def send_to_75_chats() -> None:
        for chat in range(75):
            ticket = await limiter.acquire(chat)
            taken.append(clock.monotonic())
            limiter.done(chat, ticket)

    await clock.run(send_to_75_chats())

    assert 1.0 <= clock.monotonic() < 1.6, "75 sends at 50/s take over a second, not much more"
    for n, moment in enumerate(taken):
        assert len([t for t in taken[n:] if t < moment + 1.0]) <= 50, "50 in any second"
    assert limiter.chat_wait(74) >= 1.0, "the last chat has just had its message"
    before = clock.monotonic()
    await clock.run(limiter.acquire(74))
    assert 1.0 <= clock.monotonic() - before < 1.1


async def test_a_send_in_flight_holds_its_slot_until_answered() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(rate=2, chat_rate=1, clock=clock.monotonic, sleep=clock.sleep)
    first = await clock.run(limiter.acquire(1))
    await clock.run(limiter.acquire(2))
    third = asyncio.create_task(limiter.acquire(3))
    await clock.advance(3)
    assert not third.done(), "both slots are taken while the first send is in flight"
    limiter.done(1, first)
    await clock.advance(0.9)
    assert not third.done(), "and then for a second after its answer"
    await clock.advance(0.2)
    assert third.done()
