"""How updates are taken in: different chats at the same time, one chat strictly in order.

python-telegram-bot hands each update to its update processor as it arrives. This one lets
updates of different chats run concurrently (at most `running` at once) and makes those of
one chat wait for each other, in the order they arrived, so the steps of a form can never
race and a double press is handled as two presses, one after the other. Waiting for one's
chat does not take one of the `running` places, so a person who sends a hundred messages
slows only their own chat.

It also sees each update from its arrival until every handler (and every reply) is done:
so it counts updates by kind and measures that time for `/metrics`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.metrics import Metrics

WAITING_LIMIT = 100_000  # updates taken in and not yet handled (a memory bound)


def chat_key(update: object) -> int | None:
    """The chat an update belongs to (a button press: the chat of its message, else the
    person who pressed it); None for updates that belong to no chat."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


def update_kind(update: object) -> str:
    """What an update is, for counting: "command", "message", "callback_query", … (the
    field of Telegram's update that is set), "other" for what is not Telegram's."""
    if not isinstance(update, Update):
        return "other"
    message = update.message
    if message is not None:
        return "command" if (message.text or "").startswith("/") else "message"
    for kind in Update.ALL_TYPES:
        if getattr(update, kind, None) is not None:
            return str(kind)
    return "unknown"


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Concurrent across chats, in order within a chat; every update counted and timed."""

    def __init__(self, running: int, metrics: Metrics | None = None) -> None:
        super().__init__(max_concurrent_updates=WAITING_LIMIT)
        self.running = running
        self.metrics = metrics or Metrics()
        self._slots = asyncio.Semaphore(running)
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}  # lock, updates holding it

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        arrived = time.perf_counter()
        try:
            await self._in_order(update, coroutine)
        finally:
            self.metrics.update_handled(update_kind(update), time.perf_counter() - arrived)

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        lock, users = self._chats.get(key, (asyncio.Lock(), 0))
        self._chats[key] = (lock, users + 1)
        try:
            async with lock, self._slots:  # asyncio's locks are fair: first come, first served
                await coroutine
        finally:
            lock, users = self._chats[key]
            if users == 1:
                del self._chats[key]
            else:
                self._chats[key] = (lock, users - 1)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
