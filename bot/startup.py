"""What must hold before the bot runs, checked with words an operator can act on.

A wrong value in the configuration is refused by `bot.config`; what can only be found by
trying (the database answers, the web server's port is free, Telegram is there) is tried
here, first, so that the start fails with one line (`StartError`, exit status 2) instead
of a traceback from deep inside. Telegram that cannot be reached is different: it is
usually a passing network problem, so the start waits for it, saying so in the log."""

from __future__ import annotations

import asyncio
import errno
import logging
import socket

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from telegram import Bot
from telegram.error import InvalidToken, NetworkError

from bot.config import Settings, StartError
from storage.db import Database

log = logging.getLogger(__name__)

TELEGRAM_MAX_WAIT = 60.0  # seconds between tries while Telegram cannot be reached


async def check_database(settings: Settings) -> None:
    db = Database.connect(settings.resolved_database_url)
    try:
        async with db.transaction() as session:
            await session.execute(text("SELECT 1"))
    except (OSError, DBAPIError) as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise StartError(f"DATABASE_URL: cannot use the database: {reason}") from None
    finally:
        await db.close()


def listening_socket(settings: Settings) -> socket.socket:
    """The web server's socket, bound and listening (the server is given it, so a port in
    use is found here, as one line, and not by the server after the bot has started)."""
    family = socket.AF_INET6 if ":" in settings.web_listen else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.web_listen, settings.web_port))
        sock.listen(2048)
    except OSError as error:
        sock.close()
        why = "in use" if error.errno == errno.EADDRINUSE else error.strerror
        raise StartError(
            f"WEB_LISTEN/WEB_PORT: cannot listen on "
            f"{settings.web_listen}:{settings.web_port}: {why}"
        ) from None
    sock.setblocking(False)
    return sock


async def wait_for_telegram(settings: Settings, *, attempts: int | None = None) -> str:
    """Ask the Bot API who we are; wait while it cannot be reached (1, 2, 4 … s, at most
    `TELEGRAM_MAX_WAIT`). A token it refuses is a `StartError`. Returns the bot's username."""
    token = settings.telegram_bot_token
    assert token is not None
    bot = Bot(token.get_secret_value(), base_url=settings.telegram_api_base_url)
    wait, tried = 1.0, 0
    while True:
        tried += 1
        try:
            async with bot:
                return bot.username
        except InvalidToken:
            raise StartError("TELEGRAM_BOT_TOKEN: Telegram does not accept this token") from None
        except NetworkError as error:
            if attempts is not None and tried >= attempts:
                raise StartError(
                    f"TELEGRAM_API_BASE_URL: cannot reach Telegram: {error}"
                ) from None
            log.warning(
                "Telegram cannot be reached at %s (%s); trying again in %.0f s",
                settings.telegram_api_base_url, error, wait,
            )  # fmt: skip
        await asyncio.sleep(wait)
        wait = min(TELEGRAM_MAX_WAIT, wait * 2)
