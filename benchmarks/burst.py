"""Many people at once, over HTTP: how fast `idebot run` answers a burst, beside an echo bot.

    python benchmarks/burst.py --people N --latency S [--database URL] [--rsvp]

This process serves the local Bot API over HTTP on 127.0.0.1, every call answered S seconds
late (Telegram is tens of milliseconds away), with `getUpdates` for long polling. Then:

1. `idebot run` starts as a separate process and polls it, as on Telegram. N people send
   `/start` at the same moment; the time from each update to its reply is measured.
2. The same for a bare python-telegram-bot echo bot with `concurrent_updates`, also a
   separate process polling the same kind of API: the yardstick.
3. With --rsvp: a published forum with N // 3 places; its invitation reaches the N people;
   all press "I'll come" at the same moment. Measured: the time to each answer, and how
   many are coming and waitlisted (from the database).

--database: SQLite by default (a temporary file). A PostgreSQL URL names the server: a
scratch database idebot_bench_<random> is created there and dropped afterwards.

The last line printed is a JSON object: `ratio` is idebot's updates per second divided by
the echo bot's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("PTB_TIMEDELTA", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from benchmarks.http_api import serve
from benchmarks.scratch import scratch_database
from bot.forums import lifecycle
from bot.forums.notices import Staff
from bot.forums.reminders import Schedule
from bot.forums.rules import ForumFields
from bot.local_api import Event, LocalBotApi
from handlers.forum_notices import RsvpButton
from storage import migrate
from storage.db import Database
from storage.models import Rsvp, utcnow

FIRST_PERSON = 5_000_000
STAFF = 900
TOKEN = "123456:burst-benchmark"  # the local API accepts any token

ECHO_BOT = """
import os, sys
from telegram.ext import ApplicationBuilder, MessageHandler, filters

async def echo(update, context):
    await update.effective_message.reply_text(update.effective_message.text)

app = (ApplicationBuilder().token(os.environ["TOKEN"]).base_url(os.environ["BASE_URL"])
       .concurrent_updates(True).build())
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling()
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


class Replies:
    """When each chat got its first message from the bot after `mark`."""

    def __init__(self, api: LocalBotApi) -> None:
        self.at: dict[int, float] = {}
        api.listeners.append(self._seen)

    def _seen(self, event: Event) -> None:
        if event.kind == "sent" and event.message is not None:
            self.at.setdefault(event.message.chat_id, time.monotonic())

    def reset(self) -> None:
        self.at.clear()


async def burst(
    api: LocalBotApi, replies: Replies, people: range, make: Any, timeout: float
) -> dict[str, Any]:
    """Push one update per person at once; wait for every reply."""
    replies.reset()
    sent_at = time.monotonic()
    for person in people:
        api.push_update(make(person))
    while len(replies.at.keys() & set(people)) < len(people):
        if time.monotonic() - sent_at > timeout:
            break
        await asyncio.sleep(0.01)
    waits = [replies.at[p] - sent_at for p in people if p in replies.at]
    span = max(waits) if waits else 0.0
    return {
        "answered": len(waits),
        "updates_per_second": round(len(waits) / span, 1) if span else 0.0,
        "p50": round(percentile(waits, 0.50), 3),
        "p95": round(percentile(waits, 0.95), 3),
        "p99": round(percentile(waits, 0.99), 3),
    }


def user(person: int) -> dict[str, Any]:
    return {"id": person, "is_bot": False, "first_name": "Testa", "language_code": "sv"}


async def until_polling(api: LocalBotApi, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait for the bot's first getUpdates: it is up."""
    for _ in range(600):
        if any(method == "getUpdates" for method, _ in api.requests):
            return
        if process.poll() is not None:
            raise SystemExit(f"the bot stopped at start:\n{log.read_text()[-3000:]}")
        await asyncio.sleep(0.1)
    raise SystemExit(f"the bot did not start polling:\n{log.read_text()[-3000:]}")


@asynccontextmanager
async def process(
    api: LocalBotApi, command: list[str], env: dict[str, str], log: Path
) -> AsyncIterator[None]:
    """A bot in a process of its own, polling `api`; stopped as Ctrl-C would."""
    with log.open("ab") as out:
        child = subprocess.Popen(command, env=os.environ | env, stdout=out, stderr=out)
    try:
        await until_polling(api, child, log)
        yield
    finally:
        child.send_signal(signal.SIGINT)
        with suppress(subprocess.TimeoutExpired):
            child.wait(timeout=20)
        if child.poll() is None:
            child.kill()


async def publish_forum(url: str, capacity: int) -> int:
    db = Database.connect(url)
    try:
        async with db.transaction() as session:
            start = utcnow() + timedelta(days=14)
            fields = ForumFields(
                titles={"sv": "Dialogforum om lokaler"},
                descriptions={"sv": "Hur delar vi på lokalerna?"},
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                place="Stadshuset",
                capacity=capacity,
            )
            forum = await lifecycle.create(session, fields, STAFF, utcnow())
            forum_id = forum.id
            await lifecycle.publish(session, forum, utcnow(), Schedule(), Staff(None, "sv"))
        return forum_id
    finally:
        await db.close()


async def tally(url: str, forum_id: int) -> dict[str, int]:
    db = Database.connect(url)
    try:
        async with db.transaction() as session:
            rows = await session.execute(
                select(Rsvp.status, func.count())
                .where(Rsvp.forum_id == forum_id)
                .group_by(Rsvp.status)
            )
            return {str(row[0]): int(row[1]) for row in rows.all()}
    finally:
        await db.close()


async def rsvp_storm(
    api: LocalBotApi, replies: Replies, people: range, url: str, timeout: float
) -> dict[str, Any]:
    """Everyone presses "I'll come" on their invitation at once."""
    forum_id = await publish_forum(url, capacity=len(people) // 3)
    for _ in range(int(timeout * 10)):  # the bot's worker delivers the invitations
        if all(any(m.buttons for m in api.bot_messages(p)) for p in people):
            break
        await asyncio.sleep(0.1)
    invitations = {p: next(m for m in api.bot_messages(p) if m.buttons) for p in people}
    answered: dict[int, float] = {}

    def seen(event: Event) -> None:
        if event.kind == "answered":
            answered[len(answered)] = time.monotonic()

    api.listeners.append(seen)
    data = RsvpButton(forum_id, going=True).pack()
    sent_at = time.monotonic()
    for person in people:
        api.push_update(api.callback(invitations[person], user(person), data))
    while len(answered) < len(people) and time.monotonic() - sent_at < timeout:
        await asyncio.sleep(0.01)
    waits = [moment - sent_at for moment in answered.values()]
    counts = await tally(url, forum_id)
    return {
        "pressed": len(people),
        "answered": len(waits),
        "capacity": len(people) // 3,
        "going": counts.get("going", 0),
        "waitlist": counts.get("waitlist", 0),
        "p50": round(percentile(waits, 0.50), 3),
        "p95": round(percentile(waits, 0.95), 3),
    }


async def run(args: argparse.Namespace, url: str, scratch: Path) -> dict[str, Any]:
    people = range(FIRST_PERSON, FIRST_PERSON + args.people)
    figures: dict[str, Any] = {"people": args.people, "latency": args.latency}
    db = Database.connect(url)
    await migrate.upgrade(db.engine)
    await db.close()

    api = LocalBotApi()
    for person in people:
        api.open_chat(person)
    replies = Replies(api)
    server, base_url = serve(api, args.latency)
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": base_url,
        "DATABASE_URL": url,
        "ADMIN_IDS": str(STAFF),
        "DELIVERY_RATE": "300",  # the invitations of the RSVP storm, quickly
        "DELIVERY_POLL_SECONDS": "0.05",
        "LOG_LEVEL": "WARNING",
        "PTB_TIMEDELTA": "1",
    }
    log = scratch / "idebot.log"

    def start(person: int) -> dict[str, Any]:
        return api.incoming(person, user(person), "/start")

    try:
        idebot = str(Path(sys.executable).parent / "idebot")
        async with process(api, [idebot, "run"], env, log):
            figures["idebot"] = await burst(api, replies, people, start, args.timeout)
            if args.rsvp:
                figures["rsvp"] = await rsvp_storm(api, replies, people, url, args.timeout)
        server.stop()

        echo_api = LocalBotApi()
        for person in people:
            echo_api.open_chat(person)
        echo_replies = Replies(echo_api)
        echo_server, echo_url = serve(echo_api, args.latency)
        echo_env = {"TOKEN": TOKEN, "BASE_URL": echo_url, "PTB_TIMEDELTA": "1"}

        def echo_start(person: int) -> dict[str, Any]:
            return echo_api.incoming(person, user(person), "/start")

        echo_log = scratch / "echo.log"
        async with process(echo_api, [sys.executable, "-c", ECHO_BOT], echo_env, echo_log):
            figures["echo"] = await burst(echo_api, echo_replies, people, echo_start, args.timeout)
        echo_server.stop()
    finally:
        server.stop()
    echo_rate = figures["echo"]["updates_per_second"]
    figures["ratio"] = (
        round(figures["idebot"]["updates_per_second"] / echo_rate, 3) if echo_rate else 0.0
    )
    figures["log"] = str(log)
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added per call")
    parser.add_argument("--database", help="a PostgreSQL URL (default: a SQLite file)")
    parser.add_argument("--rsvp", action="store_true", help="also the RSVP storm")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    logging.getLogger("tornado.access").setLevel(logging.CRITICAL)  # polls cut short at the end
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        async with scratch_database(args.database, scratch) as url:
            figures = await run(args, url, scratch)
    figures["database"] = "postgresql" if args.database else "sqlite"
    figures.pop("log")
    for name in ("idebot", "echo"):
        f = figures[name]
        print(f"{name:>7}: {f['answered']}/{args.people} answered, "
              f"{f['updates_per_second']} updates/s, p50 {f['p50']} s, p95 {f['p95']} s, "
              f"p99 {f['p99']} s")  # fmt: skip
    if "rsvp" in figures:
        r = figures["rsvp"]
        print(f"   rsvp: {r['answered']}/{r['pressed']} answered, {r['going']} coming and "
              f"{r['waitlist']} waitlisted for {r['capacity']} places, "
              f"p95 {r['p95']} s")  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
