"""Announce a forum to N subscribers under Telegram's limits; count what arrived.

    python benchmarks/broadcast.py --recipients N --cap R [--inject-429 P] [--kill-at F]
                                   [--database URL] [--workers W]

This process runs the local Bot API (R messages per second overall, 1 per chat, a share P of
sends answered 429) and serves it over HTTP on 127.0.0.1. It creates N subscribers, and a
staff member creates and publishes a forum through the real Application. Then W worker
processes, each the real Application with its delivery worker, send the announcements
through that API. With --kill-at F the first worker is SIGKILLed once a share F of the
recipients has the message, and a new one is started. The API records every message it
accepts, in this process, so what a killed worker sent is still counted: duplicates are
recipients who got the announcement more than once, lost those who never got it.

--database: SQLite by default (a temporary file). A PostgreSQL URL names the server: a
scratch database idebot_bench_<random> is created there and dropped afterwards.

The last line printed is a JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("PTB_TIMEDELTA", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select

from benchmarks.http_api import serve
from benchmarks.scratch import scratch_database
from bot.app import build_application, running
from bot.config import Settings
from bot.local_api import Event, LocalBotApi, LocalUser
from handlers.forum_admin import ForumAction, ForumAdminButton
from storage import migrate
from storage.db import Database
from storage.models import Outbox, User, utcnow

STAFF = 900
FIRST_RECIPIENT = 1_000_000
LANGUAGES = ("sv", "en", "ar", "fi", "so")


def settings_for(url: str, scratch: Path, **values: object) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=url,
        data_dir=scratch,
        admin_ids=frozenset({STAFF}),
        telegram_bot_token=None,
        webhook_url=None,
        contact_chat_id=None,
        **values,
    )


async def create_subscribers(url: str, scratch: Path, count: int) -> None:
    db = Database.connect(url)
    try:
        await migrate.upgrade(db.engine)
        async with db.transaction() as session:
            now = utcnow()
            await session.execute(
                insert(User),
                [
                    {
                        "telegram_id": FIRST_RECIPIENT + n,
                        "language": LANGUAGES[n % len(LANGUAGES)],
                        "first_seen": now,
                        "last_seen": now,
                        "subscribed": True,
                        "subscription_asked": True,
                        "blocked": False,
                    }
                    for n in range(count)
                ],
            )
    finally:
        await db.close()


async def publish_forum(url: str, scratch: Path, api: LocalBotApi) -> None:
    """A staff member creates and publishes a forum through the real Application."""
    app = build_application(settings_for(url, scratch, delivery_worker=False), request=api)
    async with running(app):
        staff = LocalUser(api, app, STAFF, language_code="sv")
        start = (utcnow() + timedelta(days=14)).astimezone(app.bot_data.settings.zone)  # type: ignore[union-attr]
        for answer in (
            "/newforum",
            "Dialogforum om lokaler",
            "Hur delar vi på kommunens lokaler?",
            start.strftime("%Y-%m-%d 18:00"),
            "20:30",
            "Stadshuset, Campusgatan 26",
        ):
            await staff.send(answer)
        for _ in range(4):
            card = (await staff.press("⏭"))[-1]
        publish = next(
            b["callback_data"]
            for b in card.buttons
            if (pressed := ForumAdminButton.parse(b["callback_data"]))
            and pressed.action is ForumAction.PUBLISH
        )
        await staff.press_data(publish, card)
        await staff.press("📣", api.bot_messages(STAFF)[-1])


async def outstanding(db: Database) -> int:
    async with db.transaction() as session:
        return int(
            await session.scalar(
                select(func.count()).where(Outbox.status.in_(("pending", "sending")))
            )
            or 0
        )


async def in_doubt(db: Database) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).where(Outbox.in_doubt)) or 0)


def start_worker(url: str, api_url: str, cap: float, log: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "DATABASE_URL": url,
        "TELEGRAM_API_BASE_URL": api_url,
        "DELIVERY_RATE": str(cap),
        "DELIVERY_CHAT_RATE": "1",
        "DELIVERY_POLL_SECONDS": "0.05",
        "DELIVERY_LEASE_SECONDS": "3",
        "ADMIN_IDS": str(STAFF),
        "PTB_TIMEDELTA": "1",
    }
    env.pop("TELEGRAM_BOT_TOKEN", None)
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, __file__, "--child"], env=env, stdout=out, stderr=subprocess.STDOUT
        )


async def child() -> None:
    """A worker process: the real Application, delivering until SIGTERM."""
    settings = Settings()  # type: ignore[call-arg]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with running(build_application(settings)):
        await stop.wait()


async def run(args: argparse.Namespace, url: str, scratch: Path) -> dict[str, Any]:
    api = LocalBotApi(seed=1)
    for n in range(args.recipients):
        api.open_chat(FIRST_RECIPIENT + n)
    await create_subscribers(url, scratch, args.recipients)
    await publish_forum(url, scratch, api)

    recipients = range(FIRST_RECIPIENT, FIRST_RECIPIENT + args.recipients)
    delivered: list[tuple[int, float]] = []

    def record(event: Event) -> None:
        if event.kind == "sent" and event.message and event.message.chat_id in recipients:
            delivered.append((event.message.chat_id, time.monotonic()))

    api.listeners.append(record)
    api.overall_rate, api.per_chat_rate, api.inject_429 = args.cap, 1, args.inject_429
    first_request = len(api.requests)
    server, api_url = serve(api)
    log = scratch / "workers.log"
    db = Database.connect(url)
    started = time.monotonic()
    per_worker = args.cap / args.workers  # DELIVERY_RATE is per process: W workers share the cap
    workers = [start_worker(url, api_url, per_worker, log) for _ in range(args.workers)]
    killed_in_flight = None
    try:
        while time.monotonic() - started < args.timeout:
            await asyncio.sleep(0.05)
            reached = len({chat for chat, _ in delivered}) >= args.kill_at * args.recipients
            if args.kill_at and killed_in_flight is None and reached:
                workers[0].send_signal(signal.SIGKILL)
                workers[0].wait()
                killed_in_flight = await count_sending(db)
                workers[0] = start_worker(url, api_url, per_worker, log)
            if len(delivered) >= args.recipients and await outstanding(db) == 0:
                break
        else:
            print(f"timed out; see {log}:\n{log.read_text()[-3000:]}", file=sys.stderr)
        elapsed_total = time.monotonic() - started
        unknown = await in_doubt(db)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in workers:
            with suppress(subprocess.TimeoutExpired):
                worker.wait(timeout=20)
        await db.close()
        server.stop()

    per_chat = Counter(chat for chat, _ in delivered)
    times = sorted(moment for _, moment in delivered)
    span = (times[-1] - times[0]) if len(times) > 1 else 0.0
    rate = (len(times) - 1) / span if span > 0 else 0.0
    refused = sum(
        1
        for method, params in api.requests[first_request:]
        if method == "sendMessage" and int(params.get("chat_id", 0)) in recipients
    ) - len(delivered)
    return {
        "recipients": args.recipients,
        "cap": args.cap,
        "workers": args.workers,
        "database": "postgresql" if url.startswith("postgresql") else "sqlite",
        "inject_429": args.inject_429,
        "kill_at": args.kill_at,
        "messages_per_s": round(rate, 1),
        "ratio": round(rate / args.cap, 3),
        "delivered": len(per_chat),
        "duplicates": sum(count - 1 for count in per_chat.values() if count > 1),
        "lost": args.recipients - len(per_chat),
        "in_flight_at_kill": killed_in_flight,
        "unknown": unknown,
        "refused_429": refused,
        "stalls_over_50ms": [
            (round(b - times[0], 2), round(b - a, 3))
            for a, b in itertools.pairwise(times)
            if b - a > 0.05
        ],
        "elapsed_s": round(span, 2),
        "elapsed_total_s": round(elapsed_total, 2),
    }


async def count_sending(db: Database) -> int:
    async with db.transaction() as session:
        return int(
            await session.scalar(select(func.count()).where(Outbox.status == "sending")) or 0
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=3000)
    parser.add_argument("--cap", type=float, default=300.0, help="messages per second overall")
    parser.add_argument("--inject-429", type=float, default=0.0, help="share of sends refused")
    parser.add_argument(
        "--kill-at", type=float, default=0.0, help="SIGKILL a worker at this share"
    )
    parser.add_argument("--database", default=None, help="PostgreSQL server URL (default SQLite)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        await child()
        return
    if args.workers > 1 and not (args.database or "").startswith("postgresql"):
        parser.error("several workers need PostgreSQL (--database postgresql+asyncpg://…)")

    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        async with scratch_database(args.database, scratch) as url:
            figures = await run(args, url, scratch)

    print(f"recipients      {figures['recipients']}, cap {figures['cap']:g}/s, "
          f"{figures['workers']} worker(s) on {figures['database']}")  # fmt: skip
    print(f"achieved        {figures['messages_per_s']:.1f} messages/s "
          f"(ratio {figures['ratio']:.3f} to the cap)")  # fmt: skip
    print(f"duplicates      {figures['duplicates']} "
          f"(in flight at the kill: {figures['in_flight_at_kill']}, "
          f"recorded unknown: {figures['unknown']})")  # fmt: skip
    print(f"lost            {figures['lost']}")
    print(f"429s answered   {figures['refused_429']}")
    print(f"elapsed         {figures['elapsed_s']:.2f} s first to last "
          f"({figures['elapsed_total_s']:.2f} s with start-up)")  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
