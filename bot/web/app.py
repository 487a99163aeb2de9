"""The one web application beside the bot (Starlette, served by uvicorn): calendar feeds,
open data, the public pages, /healthz and /metrics, and, in webhook mode, Telegram's
updates (python-telegram-bot's custom-webhook pattern: the route checks the secret token
and puts the update on the application's queue). One port to run and to proxy.

`serving(bot)` runs it while the bot runs: `idebot run` (polling or webhook) and the
console (`idebot shell`, to try the pages and feeds locally). WEB_PORT=0 turns it off."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import socket
from collections.abc import AsyncIterator, Generator
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import Update

from bot import startup
from bot.context import IdeApplication
from bot.web import api, bot_of, feeds, ops, pages

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105  (a header's name)
MAX_UPDATE_BYTES = 1_000_000  # Telegram's updates are a few kilobytes


def build_web(bot: IdeApplication) -> Starlette:
    """The web application for the running `bot` (`request.app.state.bot`)."""
    routes: list[BaseRoute] = [*feeds.ROUTES, *api.ROUTES, *ops.ROUTES, *pages.ROUTES]
    settings = bot.bot_data.settings
    if settings is not None and settings.webhook_url:
        path = urlsplit(settings.webhook_url).path or "/"
        routes.insert(0, Route(path, telegram_update, methods=["POST"]))
    web = Starlette(routes=routes, exception_handlers=pages.EXCEPTION_HANDLERS)
    web.state.bot = bot
    return web


async def telegram_update(request: Request) -> Response:
    """An update from Telegram: refused (403) without our secret; otherwise queued for the
    application, which answers it as it answers polled ones."""
    bot = bot_of(request)
    settings = bot.bot_data.settings
    secret = (
        settings.webhook_secret.get_secret_value() if settings and settings.webhook_secret else ""
    )
    given = request.headers.get(SECRET_HEADER, "")
    if not secret or not secrets.compare_digest(given.encode(), secret.encode()):
        return Response(status_code=403)
    body = await request.body()
    if len(body) > MAX_UPDATE_BYTES:
        return Response(status_code=413)
    try:
        data = json.loads(body)
        update = Update.de_json(data, bot.bot)
    except (ValueError, TypeError, KeyError):
        log.warning("webhook: an update that cannot be read (%d bytes)", len(body))
        return Response(status_code=400)
    await bot.update_queue.put(update)
    return Response()


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: `idebot run` (and the console) decide when
    to stop, and stop the bot and the server in order."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


@contextlib.asynccontextmanager
async def serving(bot: IdeApplication, sock: socket.socket | None = None) -> AsyncIterator[None]:
    """Serve the web application while the block runs (nothing when WEB_PORT=0). `sock`:
    one already listening (else it is opened here; a port in use is a `StartError`)."""
    settings = bot.bot_data.settings
    assert settings is not None
    if settings.web_port == 0 and sock is None:
        yield
        return
    sock = sock or startup.listening_socket(settings)
    config = uvicorn.Config(
        build_web(bot),
        log_config=None,  # our logging (LOG_FORMAT) for its messages too
        access_log=False,  # personal feed addresses are secrets: not in the logs
        lifespan="off",
        proxy_headers=True,
        server_header=False,
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="web")
    try:
        while not server.started and not task.done():  # noqa: ASYNC110  (uvicorn's flag)
            await asyncio.sleep(0.01)
        if task.done():
            task.result()  # what stopped it, raised here
        host, port = sock.getsockname()[:2]
        log.info("web server on http://%s:%s (public address %s)", host, port, settings.public_url)
        yield
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await task
        sock.close()
