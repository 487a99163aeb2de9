"""The one sender: everything the bot says to Telegram goes out here.

Replies to what a person just did, edits, pop-ups and the delivery worker's bulk sends all
pass one `RateLimiter`, so Telegram's limits hold for their sum:

- **overall**: bulk sends keep to `rate` per second, and replies count in that second too,
  so a burst of replies makes bulk delivery wait, never the other way round;
- **per chat**: a private chat gets at most `chat_rate` bulk messages per second; a reply may
  follow closely (Telegram allows short bursts), up to `REPLY_CHAT_RATE` (3) in any second; a group
  gets at most 20 messages a minute;
- **429**: bulk pauses for `retry_after`; a reply waits it out and goes again, as long as it
  can still go out within `reply_budget` seconds (else `NotNow`: the caller queues it).

Retries are chosen by what a second try could cost. A time-out of an edit or a pop-up is
tried again (doing it twice is harmless); a time-out of a new message is not (Telegram may
have delivered it, and the person would get it twice). A connection that failed, or a 5xx
answer, means nothing was sent: the caller may queue it for the delivery worker.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.buttons import Rows
from bot.metrics import Metrics
from bot.outgoing import (
    NotNow,
    PermanentFailure,
    RateLimiter,
    RecipientBlocked,
    Rendered,
    RetryLater,
    TemporaryFailure,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

EDIT_TRIES = 3  # an edit or a pop-up that times out is tried this often


def markup(rows: Rows) -> InlineKeyboardMarkup | None:
    """Our buttons as Telegram's inline keyboard (the only place they are converted)."""
    kept = [row for row in rows if row]
    if not kept:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.text, callback_data=b.data, url=b.url) for b in row]
            for row in kept
        ]
    )


def translated(error: TelegramError) -> Exception:
    """Telegram's error as one of ours, by what the caller should do about it."""
    if isinstance(error, RetryAfter):
        retry = error.retry_after
        seconds = retry if isinstance(retry, int | float) else retry.total_seconds()
        return RetryLater(float(seconds))
    if isinstance(error, Forbidden):
        return RecipientBlocked(error.message)
    if isinstance(error, BadRequest):
        return PermanentFailure(error.message)
    if isinstance(error, NetworkError):  # no answer, no connection, 5xx
        return TemporaryFailure(error.message, maybe_sent=isinstance(error, TimedOut))
    return PermanentFailure(error.message)


class Sender:
    """Sends, edits and answers through one `RateLimiter`; see the module's docstring."""

    def __init__(
        self,
        bot: Bot,
        limiter: RateLimiter,
        *,
        reply_budget: float = 30.0,
        metrics: Metrics | None = None,
    ) -> None:
        self.bot = bot
        self.limiter = limiter
        self.reply_budget = reply_budget
        self.metrics = metrics or Metrics()  # sends, 429s and failures, for /metrics

    async def send(self, chat_id: int, message: Rendered, *, bulk: bool = False) -> int:
        """Send a message (or a document); return its id.

        Bulk: one try; raises `RetryLater` (after pausing bulk), `RecipientBlocked`,
        `PermanentFailure` or `TemporaryFailure`. A reply waits out 429s within the reply
        budget, then raises `NotNow`; other failures as for bulk."""
        if bulk:
            return await self._once(chat_id, message, urgent=False)
        deadline = time.monotonic() + self.reply_budget
        while True:
            try:
                return await self._once(chat_id, message, urgent=True)
            except RetryLater as error:
                await self._wait_out(error, deadline)

    async def edit(self, chat_id: int, message_id: int, message: Rendered) -> None:
        """Replace a message's text and buttons; an edit that changes nothing is no error."""
        await self._harmless(
            chat_id,
            lambda: self.bot.edit_message_text(
                message.text, chat_id, message_id, parse_mode=ParseMode.HTML,
                reply_markup=markup(message.buttons),
            ),
        )  # fmt: skip

    async def edit_buttons(self, chat_id: int, message_id: int, rows: Rows) -> None:
        await self._harmless(
            chat_id,
            lambda: self.bot.edit_message_reply_markup(
                chat_id, message_id, reply_markup=markup(rows)
            ),
        )

    async def answer(self, chat_id: int, query_id: str, text: str | None, *, alert: bool) -> None:
        """The pop-up (or the silent answer) to a button press."""
        await self._harmless(
            chat_id,
            lambda: self.bot.answer_callback_query(query_id, text=text, show_alert=alert),
        )

    async def _once(self, chat_id: int, message: Rendered, *, urgent: bool) -> int:
        try:
            message_id = await self._send_now(chat_id, message, urgent=urgent)
        except RecipientBlocked:
            self.metrics.failed("blocked")
            raise
        except PermanentFailure:
            self.metrics.failed("refused")
            raise
        except TemporaryFailure:
            self.metrics.failed("unreachable")
            raise
        self.metrics.sent(bulk=not urgent)
        return message_id

    async def _send_now(self, chat_id: int, message: Rendered, *, urgent: bool) -> int:
        document = message.document
        if document is not None:
            sent = await self._call(chat_id, lambda: self.bot.send_document(
                chat_id,
                document if isinstance(document, str) else InputFile(document[1], document[0]),
                caption=message.text or None, parse_mode=ParseMode.HTML,
                reply_markup=markup(message.buttons),
            ), urgent=urgent)  # fmt: skip
        else:
            sent = await self._call(chat_id, lambda: self.bot.send_message(
                chat_id, message.text, parse_mode=ParseMode.HTML,
                reply_markup=markup(message.buttons),
            ), urgent=urgent)  # fmt: skip
        return sent.message_id

    async def _call(self, chat_id: int, call: Callable[[], Awaitable[T]], *, urgent: bool) -> T:
        """One call under the limits; Telegram's errors as ours (a 429 pauses first)."""
        ticket = await self.limiter.acquire(chat_id, urgent=urgent)
        try:
            return await call()
        except TelegramError as error:
            failure = translated(error)
            if isinstance(failure, RetryLater):
                self.metrics.told_to_wait(failure.retry_after)
                self.limiter.pause(failure.retry_after, chat_id)
            raise failure from error
        finally:
            self.limiter.done(chat_id, ticket)

    async def _wait_out(self, error: RetryLater, deadline: float) -> None:
        """Wait for a 429's `retry_after`, unless that would pass `deadline` (`NotNow`)."""
        if time.monotonic() + error.retry_after > deadline:
            raise NotNow(str(error)) from error
        await asyncio.sleep(error.retry_after)

    async def _harmless(self, chat_id: int, call: Callable[[], Awaitable[T]]) -> T | None:
        """An edit or a pop-up: 429s waited out within the budget, time-outs tried again,
        "not modified" and "query is too old" taken as done."""
        deadline = time.monotonic() + self.reply_budget
        tries = 0
        while True:
            try:
                return await self._call(chat_id, call, urgent=True)
            except RetryLater as error:
                await self._wait_out(error, deadline)
            except TemporaryFailure as error:
                tries += 1
                if not error.maybe_sent or tries >= EDIT_TRIES:  # only a time-out is tried again
                    raise
            except PermanentFailure as error:
                text = str(error).lower()
                if "not modified" in text or "query is too old" in text:
                    return None
                raise
