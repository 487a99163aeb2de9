"""The `idebot` command: run the bot, chat in the console, manage the database."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from telegram import Update

from bot import cli_content, cli_followup, cli_register, logs
from bot.config import SUPPORTED_LANGUAGES, ConfigError, Settings, StartError, load_settings
from bot.content import ContentError

if TYPE_CHECKING:
    from bot.forums.imports import ImportReport
    from bot.forums.rules import ForumFields
    from bot.knowledge import Result

EXIT_CONFIG = 2

NO_TOKEN = """\
idebot: TELEGRAM_BOT_TOKEN is not set.
  To run on Telegram, create a bot with @BotFather (https://t.me/BotFather, /newbot),
  then: TELEGRAM_BOT_TOKEN=123456:ABC... idebot run
  To try the bot right here without Telegram: idebot shell"""  # noqa: S105  (help, not a secret)


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("PTB_TIMEDELTA", "1")  # durations as timedelta, PTB's coming default
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "action"):
        parser.print_help()
        return 0
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"idebot: {error}", file=sys.stderr)
        return EXIT_CONFIG
    logs.configure(getattr(args, "log_level", None) or settings.log_level, settings.log_format)
    try:
        return int(args.action(settings, args) or 0)
    except ContentError as error:
        print(f"idebot: broken content: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except StartError as error:
        print(f"idebot: {error}", file=sys.stderr)
        return EXIT_CONFIG


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="idebot",
        description="A Telegram bot for a municipality's agreement with the non-profit sector.",
        epilog="Configuration comes from environment variables and .env; see README.md.",
    )
    commands = parser.add_subparsers(title="commands")

    run = commands.add_parser("run", help="run on Telegram (long polling, or a webhook)")
    run.set_defaults(action=_run)

    shell = commands.add_parser("shell", help="chat with the bot in this terminal, no Telegram")
    shell.add_argument("--user-id", type=int, default=1, help="your Telegram user id (default 1)")
    shell.add_argument(
        "--language-code", default=None, help="Telegram's language_code for you, e.g. ar"
    )
    shell.set_defaults(action=_shell, log_level="WARNING")  # keep the chat readable

    ask = commands.add_parser(
        "ask", help="ask the knowledge base a question (or '-': one per line from stdin)"
    )
    ask.add_argument("question", help="the question, or - to read questions from stdin")
    ask.add_argument("--pack", default=None, help="content pack (default: CONTENT_PACK)")
    ask.add_argument(
        "--lang",
        choices=SUPPORTED_LANGUAGES,
        default=None,
        help="language of the question (default: detected, else DEFAULT_LANGUAGE)",
    )
    ask.add_argument("--json", action="store_true", help="print JSON (always with -)")
    ask.set_defaults(action=_ask, log_level="WARNING")

    forums = commands.add_parser("forums", help="dialogue forums: add from a file, import a feed")
    forum_commands = forums.add_subparsers(title="forums commands", required=True)
    add = forum_commands.add_parser(
        "add", help="add or update forums (by uid) from a TOML file; see README"
    )
    add.add_argument("file", type=Path, help="the TOML file")
    add.set_defaults(action=_forums_add)
    feed = forum_commands.add_parser(
        "import", help="create or update forums (by UID) from an iCalendar feed"
    )
    feed.add_argument("url", help="http(s):// or webcal:// address of the feed")
    feed.set_defaults(action=_forums_import)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(title="db commands", required=True)
    upgrade = db_commands.add_parser("upgrade", help="apply all migrations")
    upgrade.set_defaults(action=_db_upgrade)
    cli_register.add_db_commands(db_commands)
    cli_register.add_commands(commands)
    cli_content.add_commands(commands)
    cli_followup.add_commands(commands)
    return parser


def _run(settings: Settings, _args: argparse.Namespace) -> int:
    from bot import startup  # noqa: PLC0415  (keeps --help fast)

    if settings.telegram_bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_CONFIG
    sock = startup.listening_socket(settings) if settings.web_port else None
    try:
        asyncio.run(startup.check_database(settings))
        asyncio.run(startup.wait_for_telegram(settings))
        asyncio.run(_serve(settings, sock))
    finally:
        if sock is not None:
            sock.close()
    return 0


async def _serve(settings: Settings, sock: socket.socket | None) -> None:
    """The bot and its web server until SIGINT or SIGTERM: updates by long polling, or (with
    WEBHOOK_URL) by the web server's webhook route."""
    from bot.app import build_application, running  # noqa: PLC0415
    from bot.web.app import serving  # noqa: PLC0415

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    app = build_application(settings)
    async with running(app), serving(app, sock):
        if settings.webhook_url:
            secret = (
                settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
            )
            await app.bot.set_webhook(
                settings.webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES
            )
            await stop.wait()
            return
        assert app.updater is not None
        await app.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        try:
            await stop.wait()
        finally:
            await app.updater.stop()


def _shell(settings: Settings, args: argparse.Namespace) -> int:
    from bot.shell import run_shell  # noqa: PLC0415
    from bot.startup import check_database  # noqa: PLC0415

    asyncio.run(check_database(settings))
    asyncio.run(run_shell(settings, user_id=args.user_id, language_code=args.language_code))
    return 0


def _ask(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import build_knowledge  # noqa: PLC0415
    from bot.asking import answer  # noqa: PLC0415
    from bot.language_detection import Detector  # noqa: PLC0415

    knowledge = build_knowledge(settings)
    pack = args.pack or settings.content_pack
    if pack not in knowledge.packs:
        print(
            f"idebot: no content pack {pack!r} (have {sorted(knowledge.packs)})", file=sys.stderr
        )
        return EXIT_CONFIG
    detector = Detector()

    def one(question: str) -> Result:
        if args.lang:
            return knowledge.ask(pack, args.lang, question)
        return answer(knowledge, detector, pack, settings.default_language, question).result

    if args.question == "-":
        for line in sys.stdin:
            if line.strip():
                print(json.dumps(_as_json(one(line.strip())), ensure_ascii=False), flush=True)
        return 0
    result = one(args.question)
    if args.json:
        print(json.dumps(_as_json(result), ensure_ascii=False, indent=2))
    else:
        print(_as_text(result))
    return 0


def _as_json(result: Result) -> dict[str, object]:
    return {
        "question": result.question,
        "language": result.language,
        "confident": result.confident,
        "answers": [
            {
                "id": hit.entry.id,
                "title": hit.entry.title,
                "score": round(hit.score, 3),
                "source": hit.entry.source,
                "text": hit.entry.body,
            }
            for hit in result.hits
        ],
    }


def _as_text(result: Result) -> str:
    if not result.hits:
        return f"[{result.language}] no answer"
    lines = [f"[{result.language}] {'answer' if result.confident else 'not sure; closest'}:"]
    for number, hit in enumerate(result.hits, start=1):
        lines.append(f"{number}. {hit.entry.title} ({hit.entry.id}, score {hit.score:.2f})")
        lines.append(f"   source: {hit.entry.source}")
        if number == 1 and result.confident:
            lines.append("")
            lines.append(hit.entry.body)
    return "\n".join(lines)


def _forums_add(settings: Settings, args: argparse.Namespace) -> int:
    from bot.forums.imports import load_file  # noqa: PLC0415
    from bot.forums.rules import ForumError  # noqa: PLC0415

    try:
        items, publish = load_file(args.file, settings.zone)
    except ForumError as error:
        print(f"idebot: cannot add forums: {error.detail or error}", file=sys.stderr)
        return 1
    report = asyncio.run(_upsert_forums(settings, items, publish=publish))
    print(f"idebot: {args.file}: {report.summary()}", file=sys.stderr)
    return 0


def _forums_import(settings: Settings, args: argparse.Namespace) -> int:
    from bot import ical  # noqa: PLC0415

    async def fetch() -> tuple[list[ForumFields], list[str]]:
        data = await ical.fetch_feed(
            args.url, time_limit=settings.feed_timeout_seconds, max_bytes=settings.feed_max_bytes
        )
        return ical.parse_feed(data, settings.zone)

    try:
        items, notes = asyncio.run(fetch())
    except ical.FeedError as error:
        print(f"idebot: cannot import {args.url}: {error}", file=sys.stderr)
        return 1
    for note in notes:
        print(f"idebot: {args.url}: {note}", file=sys.stderr)
    report = asyncio.run(_upsert_forums(settings, items, publish=False))
    print(f"idebot: imported {args.url}: {report.summary()}", file=sys.stderr)
    return 0


async def _upsert_forums(
    settings: Settings, items: list[ForumFields], *, publish: bool
) -> ImportReport:
    """Create or update forums by UID; a running bot delivers what this queues."""
    from bot.forums.imports import upsert  # noqa: PLC0415
    from bot.forums.reminders import Schedule  # noqa: PLC0415
    from storage import migrate  # noqa: PLC0415
    from storage.db import Database  # noqa: PLC0415
    from storage.models import utcnow  # noqa: PLC0415

    db = Database.connect(settings.resolved_database_url)
    try:
        await migrate.upgrade(db.engine)
        async with db.transaction() as session:
            return await upsert(
                session, items, utcnow(), Schedule.of(settings), publish_new=publish
            )
    finally:
        await db.close()


def _db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.startup import check_database  # noqa: PLC0415
    from storage import migrate  # noqa: PLC0415
    from storage.db import Database  # noqa: PLC0415

    asyncio.run(check_database(settings))

    async def upgrade() -> None:
        db = Database.connect(settings.resolved_database_url)
        try:
            await migrate.upgrade(db.engine)
        finally:
            await db.close()

    asyncio.run(upgrade())
    print("idebot: database is up to date", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
