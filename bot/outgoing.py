"""What the bot says, before it reaches Telegram: a rendered message, the ways a send can
fail (as the caller should act on them), and the `RateLimiter` that keeps Telegram's limits
for replies and bulk delivery together. Nothing here knows Telegram; `bot.sender` does."""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.buttons import Rows

WINDOW_MARGIN = 0.005  # seconds: our second is this much longer than Telegram's
CATCH_UP = 0.25  # seconds of lateness (sleeps overshoot, stalls) later sends may make up
GROUP_INTERVAL = 3.0 + WINDOW_MARGIN  # seconds between messages to a group: 20 a minute


@dataclass(frozen=True)
class Rendered:
    """A message ready to send: Telegram HTML text (or a document's caption), buttons."""

    text: str
    buttons: Rows = ()
    document: tuple[str, bytes] | str | None = None  # name and content, or a file id


class RetryLater(Exception):  # noqa: N818  (named for what the caller does)
    """The API asked us to slow down (HTTP 429)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class RecipientBlocked(Exception):  # noqa: N818
    """The person has blocked the bot, or the chat is gone (HTTP 403)."""


class TemporaryFailure(Exception):  # noqa: N818
    """No answer (a time-out), no connection, or a 5xx: worth trying again later.
    `maybe_sent` when the request may have reached Telegram (a time-out)."""

    def __init__(self, message: str, *, maybe_sent: bool) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent


class PermanentFailure(Exception):  # noqa: N818
    """Refused for good (e.g. the chat does not exist): trying again will not help."""


class NotNow(Exception):  # noqa: N818
    """A reply could not go out within the reply budget; queue it instead."""


class RateLimiter:
    """Telegram's limits, kept on our side so that 429s stay rare.

    A send counts from when it is handed over until a second after its answer came back
    (Telegram counts it at some moment in between, which we cannot see), so network delays
    that vary can never make Telegram see more than `rate` bulk sends in its second.
    `clock` and `sleep` are the monotonic clock and the wait (tests pass a clock they move)."""

    def __init__(
        self,
        rate: float,
        chat_rate: float,
        reply_rate: int = 3,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.clock = clock
        self.sleep = sleep
        self.rate = rate
        self.reply_rate = reply_rate  # replies to one private chat in any second
        self.per_window = max(1, math.floor(rate))
        self.window = self.per_window / rate + WINDOW_MARGIN
        self.spacing = 1.0 / rate  # even pacing; a late send lets the next ones catch up
        self.chat_interval = 1.0 / chat_rate + WINDOW_MARGIN
        self._sent: deque[list[float]] = deque()  # [answered at], inf while in flight
        self._chats: dict[int, deque[float]] = {}  # per chat: answered at, inf in flight
        self._next = 0.0
        self._paused_until = 0.0
        self._chat_paused: dict[int, float] = {}
        self._urgent = 0  # replies waiting: bulk gives way to them
        self._lock = asyncio.Lock()

    def chat_wait(self, chat_id: int, *, urgent: bool = False) -> float:
        """Seconds until `chat_id` may receive the next message (0: now)."""
        now = self.clock()
        recent = self._chats.get(chat_id, ())
        wait = max(0.0, self._chat_paused.get(chat_id, 0.0) - now)
        if chat_id < 0:  # a group: 20 a minute, replies included
            interval, allowed = GROUP_INTERVAL, 1
        elif urgent:
            interval, allowed = 1.0 + WINDOW_MARGIN, self.reply_rate
        else:
            interval, allowed = self.chat_interval, 1
        window = [t for t in recent if t > now - interval]
        if len(window) >= allowed:
            oldest = window[-allowed]
            wait = max(wait, interval if oldest == math.inf else oldest + interval - now)
        return wait

    def pause(self, seconds: float, chat_id: int | None = None) -> None:
        """A 429: bulk stops for `seconds`; so do replies to `chat_id`."""
        until = self.clock() + seconds
        self._paused_until = max(self._paused_until, until)
        if chat_id is not None:
            self._chat_paused[chat_id] = max(self._chat_paused.get(chat_id, 0.0), until)

    async def acquire(self, chat_id: int, *, urgent: bool = False) -> list[float]:
        """Wait for a slot and take it; return the ticket to hand to `done` when the
        answer has come. Replies (`urgent`) wait only for their chat; bulk waits for the
        overall rate, any pause, and every reply that is waiting."""
        if urgent:
            self._urgent += 1
            try:
                while (wait := self.chat_wait(chat_id, urgent=True)) > 0:
                    await self.sleep(wait)
            finally:
                self._urgent -= 1
            return self._take(chat_id, self.clock(), bulk=False)
        async with self._lock:
            while True:
                now = self.clock()
                self._expire(now)
                ready = max(self._paused_until, self._next, now + self.chat_wait(chat_id))
                if len(self._sent) >= self.per_window:
                    oldest = self._sent[0][0]  # still in flight: look again very soon
                    ready = max(ready, oldest + self.window if oldest < math.inf else now + 0.002)
                if self._urgent:
                    ready = max(ready, now + 0.002)
                if ready <= now:
                    return self._take(chat_id, now, bulk=True)
                await self.sleep(ready - now)

    def done(self, chat_id: int, ticket: list[float]) -> None:
        """The answer to a send has come: it counts from now."""
        now = self.clock()
        ticket[0] = now
        recent = self._chats.get(chat_id)
        if recent is not None:
            if math.inf in recent:
                recent.remove(math.inf)
            recent.append(now)

    def _take(self, chat_id: int, now: float, *, bulk: bool) -> list[float]:
        ticket = [math.inf]
        self._sent.append(ticket)
        if bulk:
            self._next = max(self._next, now - CATCH_UP) + self.spacing
        recent = self._chats.setdefault(chat_id, deque(maxlen=max(2, self.reply_rate + 1)))
        recent.append(math.inf)
        if len(self._chats) > 10_000:
            self._forget_old_chats(now)
        return ticket

    def _expire(self, now: float) -> None:
        while self._sent and self._sent[0][0] <= now - self.window:
            self._sent.popleft()

    def _forget_old_chats(self, now: float) -> None:
        for chat, recent in list(self._chats.items()):
            if recent and max(recent) < now - GROUP_INTERVAL:
                del self._chats[chat]
        for chat, until in list(self._chat_paused.items()):
            if until < now:
                del self._chat_paused[chat]
