"""Updates per second of a /start round trip: idebot against a bare echo bot.

Both run as real python-telegram-bot Applications on the same local Bot API, in the same
run, so the ratio shows what idebot's own work (a database transaction, translations,
HTML checks) costs per update.

    python benchmarks/updates.py [--updates N] [--users U] [--database URL]

The last line printed is a JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.app import build_application, running
from bot.config import Settings
from bot.local_api import LocalBotApi, LocalUser


async def echo_start(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message:
        await update.effective_message.reply_text("Hello!")


async def measure(
    app: Application[Any, Any, Any, Any, Any, Any], api: LocalBotApi, updates: int, users: int
) -> float:
    people = [LocalUser(api, app, 10_000 + n, language_code="sv") for n in range(users)]
    for person in people:  # first contact is not what we measure
        await person.send("/start")
    started = time.perf_counter()
    for n in range(updates):
        replies = await people[n % users].send("/start")
        assert replies, "every /start is answered"
    return updates / (time.perf_counter() - started)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--database", default=None, help="database URL (default: a temp SQLite)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        url = args.database or f"sqlite+aiosqlite:///{Path(scratch) / 'bench.sqlite3'}"
        settings = Settings(_env_file=None, database_url=url, data_dir=Path(scratch))  # type: ignore[call-arg]
        api = LocalBotApi()
        async with running(build_application(settings, request=api)) as app:
            idebot_rate = await measure(app, api, args.updates, args.users)

    echo_api = LocalBotApi()
    echo = (
        Application.builder()
        .token("0:local")
        .request(echo_api)
        .get_updates_request(echo_api)
        .build()
    )
    echo.add_handler(CommandHandler("start", echo_start))
    async with echo:
        echo_rate = await measure(echo, echo_api, args.updates, args.users)

    figures = {
        "updates": args.updates,
        "users": args.users,
        "database": "postgresql" if url.startswith("postgresql") else "sqlite",
        "idebot_updates_per_s": round(idebot_rate, 1),
        "echo_updates_per_s": round(echo_rate, 1),
        "ratio": round(idebot_rate / echo_rate, 3),
    }
    print(f"idebot   {idebot_rate:8.1f} updates/s")
    print(f"echo bot {echo_rate:8.1f} updates/s")
    print(f"ratio    {figures['ratio']:8.3f}")
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
