"""`idebot shell`: a terminal chat with the real Application over the local Bot API, with
the web server running beside it (unless WEB_PORT=0) so the pages and feeds can be tried."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import TextIO

from bot.app import build_application, running
from bot.config import Settings, StartError
from bot.local_api import Event, LocalBotApi, LocalUser, Message
from bot.telegram_html import to_plain
from bot.web.app import serving

INTRO = "idebot console. Type /start. A number presses a button. Ctrl-D (end of input) quits."


class Console:
    """Prints what the bot does; remembers the last buttons so a number can press them."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.buttons: tuple[Message, list[str]] | None = None

    def show(self, event: Event) -> None:
        if event.kind == "answered":
            if event.text:
                self._print(f"  ({event.text})")
            return
        message = event.message
        if message is None or event.kind == "deleted":
            return
        label = "bot (edited)" if event.kind == "edited" else "bot"
        body = to_plain(message.html) if message.html else message.text
        if message.document:
            body = f"[file: {message.document[0]}, {len(message.document[1])} bytes] {body}"
        self._print(f"{label}: {body}")
        datas = [b.get("callback_data", "") for b in message.buttons]
        if message.buttons:
            for index, button in enumerate(message.buttons, start=1):
                target = f" → {button['url']}" if "url" in button else ""
                self._print(f"   [{index}] {button['text']}{target}")
            self.buttons = (message, datas)

    def _print(self, line: str) -> None:
        print(line, file=self.out, flush=True)


async def run_shell(
    settings: Settings,
    *,
    user_id: int,
    language_code: str | None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> None:
    api = LocalBotApi()
    app = build_application(settings, request=api)
    console = Console(stdout)
    async with running(app), contextlib.AsyncExitStack() as web:
        try:  # the pages and feeds, to try locally; the chat does not need them
            await web.enter_async_context(serving(app))
            if settings.web_port:
                print(f"Web pages and feeds: {settings.public_url}/", file=stdout, flush=True)
        except StartError as error:
            print(f"idebot: no web server: {error}", file=sys.stderr, flush=True)
        api.listeners.append(console.show)
        person = LocalUser(api, app, user_id, first_name="Console", language_code=language_code)
        print(INTRO, file=stdout, flush=True)
        loop = asyncio.get_running_loop()
        while line := await loop.run_in_executor(None, stdin.readline):
            text = line.strip()
            if not text:
                continue
            if text.isdigit() and console.buttons:
                message, datas = console.buttons
                index = int(text) - 1
                if 0 <= index < len(datas) and datas[index]:
                    await person.press_data(datas[index], message)
                    continue
            await person.send(text)
