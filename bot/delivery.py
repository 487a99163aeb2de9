"""The delivery worker: sends what the outbox holds, under Telegram's limits, once.

A round (`Worker.deliver_due`) runs the due hooks (reminders becoming outbox rows), claims a
batch of due rows and marks them "sending" (one commit), sends them under the overall and
per-chat rates, and records every outcome (one commit):

- sent: the message id and time are kept;
- 429 (`RetryLater`): every send pauses for `retry_after`, and the row is due again then;
- 403 (`RecipientBlocked`): the person is marked blocked, and skipped from then on;
- other failures: retried with exponential backoff, `max_attempts` times, then "failed".

A crash loses nothing: rows that were claimed but not yet recorded are found in "sending"
at the next start (SQLite, one worker) or once their lease has run out (PostgreSQL, several
workers) and sent again, marked `in_doubt` ("unknown" in reports): those, and only those,
may reach a person twice. Staff see a broadcast's progress edited in place, and a final
report. This module knows nothing of Telegram: a `Channel` renders and sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox
from storage.db import Database
from storage.models import Broadcast, Outbox, User

log = logging.getLogger(__name__)

MAX_BACKOFF = 300.0  # seconds
PROGRESS_EVERY = 2.0  # seconds between edits of a progress message
WINDOW_MARGIN = 0.005  # seconds: our second is this much longer than Telegram's
CATCH_UP = 0.25  # seconds of lateness (sleeps overshoot, stalls) later sends may make up


@dataclass(frozen=True)
class Button:
    """An inline button: callback data, or a link."""

    text: str
    data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Rendered:
    """A message ready to send: Telegram HTML text (or a document's caption), buttons."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    document: tuple[str, bytes] | None = None  # file name and content


class RetryLater(Exception):  # noqa: N818  (named for what the caller does)
    """The API asked us to slow down (HTTP 429)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class RecipientBlocked(Exception):  # noqa: N818
    """The person has blocked the bot (HTTP 403)."""


class TemporaryFailure(Exception):  # noqa: N818
    """A time-out or network error: worth trying again later."""


class PermanentFailure(Exception):  # noqa: N818
    """Refused for good (e.g. the chat does not exist): trying again will not help."""


class Channel(Protocol):
    """What the worker needs from the messenger: render rows, send, edit."""

    async def render(
        self, session: AsyncSession, rows: Sequence[Outbox], users: Mapping[int, User]
    ) -> dict[int, Rendered | None]:
        """The message for each row, in its recipient's language; None skips the row."""
        ...

    def render_progress(self, broadcast: Broadcast, counts: outbox.Counts) -> Rendered: ...

    def render_report(self, broadcast: Broadcast, counts: outbox.Counts) -> Rendered: ...

    async def send(self, chat_id: int, message: Rendered) -> int:
        """Send; return the message id, or raise one of this module's exceptions."""
        ...

    async def edit(self, chat_id: int, message_id: int, message: Rendered) -> None: ...


Hook = Callable[[AsyncSession, datetime], Awaitable[Any]]


@dataclass(frozen=True)
class Limits:
    rate: float = 30.0  # messages per second overall
    chat_rate: float = 1.0  # messages per second to one chat
    max_attempts: int = 5
    lease: float = 60.0  # seconds a claimed row stays claimed before another worker may retry
    poll: float = 1.0  # seconds between looks at an empty outbox
    concurrency: int = 4  # sends in flight at once

    @property
    def batch(self) -> int:
        """Rows claimed per round: about a fifth of a second's worth (the most a crash can
        leave in doubt)."""
        return max(1, min(200, math.ceil(self.rate / 5)))


class RateLimiter:
    """Telegram's limits, kept on our side so that 429s stay rare: no more than `rate`
    sends in any second, evenly paced, and `chat_rate` per chat.

    A send counts from when it is handed over until a second after its answer came back
    (Telegram counts it at some moment in between, which we cannot see), so network
    delays that vary can never make Telegram see more than `rate` in its second."""

    def __init__(self, rate: float, chat_rate: float) -> None:
        self.rate = rate
        self.per_window = max(1, math.floor(rate))
        self.window = self.per_window / rate + WINDOW_MARGIN
        self.spacing = 1.0 / rate  # even pacing; a late send lets the next ones catch up
        self.chat_interval = 1.0 / chat_rate + WINDOW_MARGIN
        self._sent: deque[list[float]] = deque()  # [answered at], inf while in flight
        self._last_chat: dict[int, float] = {}
        self._next = 0.0
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until `chat_id` may receive the next message (0: now)."""
        last = self._last_chat.get(chat_id)
        if last == math.inf:  # a send to this chat is in flight
            return self.chat_interval
        return 0.0 if last is None else max(0.0, last + self.chat_interval - time.monotonic())

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    async def acquire(self, chat_id: int) -> list[float]:
        """Wait for a slot (overall, per chat and any pause), take it, and return the
        ticket to hand to `done` when the answer has come."""
        async with self._lock:
            while True:
                now = time.monotonic()
                while self._sent and self._sent[0][0] <= now - self.window:
                    self._sent.popleft()
                ready = max(self._paused_until, self._next, now + self.chat_wait(chat_id))
                if len(self._sent) >= self.per_window:
                    oldest = self._sent[0][0]  # still in flight: look again very soon
                    ready = max(ready, oldest + self.window if oldest < math.inf else now + 0.002)
                if ready <= now:
                    break
                await asyncio.sleep(ready - now)
            ticket = [math.inf]
            self._sent.append(ticket)
            self._next = max(self._next, now - CATCH_UP) + self.spacing
            self._last_chat[chat_id] = math.inf
            if len(self._last_chat) > 10_000:
                self._forget_old_chats(now)
            return ticket

    def done(self, chat_id: int, ticket: list[float]) -> None:
        """The answer to a send has come: it counts from now."""
        ticket[0] = self._last_chat[chat_id] = time.monotonic()

    def _forget_old_chats(self, now: float) -> None:
        for chat, last in list(self._last_chat.items()):
            if last < now - self.chat_interval:
                del self._last_chat[chat]


@dataclass
class _Batch:
    jobs: list[_Job]
    settled: list[dict[str, Any]]


@dataclass
class _Job:
    row: Outbox
    message: Rendered
    outcome: dict[str, Any] = field(default_factory=dict)
    blocked: bool = False


class Worker:
    """Delivers the outbox. `deliver_due` is one round (tests call it directly); `start`
    runs rounds in a task until `stop`."""

    def __init__(
        self,
        db: Database,
        channel: Channel,
        limits: Limits,
        *,
        clock: Callable[[], datetime],
        single: bool,
        hooks: Sequence[Hook] = (),
        name: str | None = None,
    ) -> None:
        self.db = db
        self.channel = channel
        self.limits = limits
        self.clock = clock
        self.single = single  # the only worker on this database (SQLite)
        self.hooks = tuple(hooks)
        self.name = name or f"worker-{uuid.uuid4().hex[:12]}"
        self.limiter = RateLimiter(limits.rate, limits.chat_rate)
        self._progress: dict[int, tuple[str, float]] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._wake = asyncio.Event()
        self._recovered_at = 0.0

    # -- running -----------------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        self._task = asyncio.create_task(self._run(), name=self.name)
        return self._task

    def wake(self) -> None:
        """Something was queued: look now rather than at the next poll."""
        self._wake.set()

    async def stop(self, grace: float = 10.0) -> None:
        """Finish the round in progress (unsent rows go back to pending), then stop."""
        self._stopping = True
        self._wake.set()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), grace)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            log.warning("%s: stopped in the middle of a round", self.name)

    async def _run(self) -> None:
        """Rounds, pipelined: the next batch is claimed and rendered while this one is sent,
        and outcomes are recorded while the next one is sent, so the database never holds
        up the sending. (At most two batches are "sending" at once: all a crash can leave
        in doubt.)"""
        log.info("%s: delivering (%.0f/s overall, %.1f/s per chat)", self.name,
                 self.limits.rate, self.limits.chat_rate)  # fmt: skip
        ahead: asyncio.Task[_Batch] | None = None
        recording: asyncio.Task[None] | None = None
        heartbeat = asyncio.create_task(self._heartbeat())
        while True:
            try:
                batch = await (ahead or asyncio.create_task(self._prepare(self.clock())))
                ahead = None
                if batch.jobs and not self._stopping:
                    ahead = asyncio.create_task(self._prepare(self.clock()))
                await self._send_all(batch.jobs)
                if recording is not None:
                    await recording
                recording = asyncio.create_task(self._finish(batch))
            except Exception:
                log.exception("%s: a delivery round failed; trying again shortly", self.name)
                batch, ahead = _Batch([], []), None
            if self._stopping and ahead is None:
                break
            if not (batch.jobs or batch.settled):
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.limits.poll)
        if recording is not None:
            await recording
        heartbeat.cancel()

    async def _heartbeat(self) -> None:
        """Keep the lease on our rows in flight, however long 429 pauses make a batch."""
        while True:
            await asyncio.sleep(self.limits.lease / 3)
            try:
                async with self.db.transaction() as session:
                    await outbox.renew_lease(session, self.name, self.clock())
            except Exception:
                log.warning("%s: could not renew the lease", self.name, exc_info=True)

    async def drain(self, within: float = 30.0) -> None:
        """Deliver until nothing is pending (tests, the CLI). Waits for rows due soon."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if await self.deliver_due():
                continue
            async with self.db.transaction() as session:
                due = await outbox.next_due(session)
            if due is None:
                return
            await asyncio.sleep(min(1.0, max(0.01, (due - self.clock()).total_seconds())))
        raise TimeoutError("the outbox did not empty in time")

    # -- one round -----------------------------------------------------------------------------

    async def deliver_due(self) -> int:
        """One round: run the hooks, claim due rows, send them, record the outcomes.
        Returns how many rows were handled."""
        batch = await self._prepare(self.clock())
        await self._send_all(batch.jobs)
        await self._finish(batch)
        return len(batch.jobs) + len(batch.settled)

    async def _prepare(self, now: datetime) -> _Batch:
        await self._recover(now)
        for hook in self.hooks:
            async with self.db.transaction() as session:
                await hook(session, now)
        jobs, settled = await self._claim(now)
        return _Batch(jobs, settled)

    async def _finish(self, batch: _Batch) -> None:
        jobs, settled = batch.jobs, batch.settled
        if not (jobs or settled):
            return
        async with self.db.transaction() as session:
            await outbox.record(session, [job.outcome for job in jobs] + settled)
            await outbox.mark_blocked(session, {job.row.recipient for job in jobs if job.blocked})
        touched = {job.row.broadcast_id for job in jobs} | {
            outcome["broadcast_id"] for outcome in settled
        }
        await self._report({b for b in touched if b is not None})

    async def _recover(self, now: datetime) -> None:
        """Requeue rows a dead worker left "sending": at start if this is the only worker,
        else once their lease is over (checked every half lease)."""
        tick = time.monotonic()
        if self._recovered_at and tick - self._recovered_at < self.limits.lease / 2:
            return
        first = not self._recovered_at
        self._recovered_at = tick
        if self.single and first:  # the only worker: whatever is "sending" was left by a crash
            cutoff, not_by = now, None
        else:
            cutoff, not_by = now - timedelta(seconds=self.limits.lease), self.name
        async with self.db.transaction() as session:
            recovered = await outbox.recover_in_flight(session, cutoff, not_by=not_by)
        if recovered:
            log.warning(
                "%s: %d message(s) were in flight when a worker stopped; sending them again "
                "(recorded as unknown: the person may get them twice)",
                self.name,
                recovered,
            )

    async def _claim(self, now: datetime) -> tuple[list[_Job], list[dict[str, Any]]]:
        """Claimed rows ready to send, and outcomes already settled (blocked, skipped)."""
        async with self.db.transaction() as session:
            rows = await outbox.claim(session, now, self.limits.batch, self.name)
            if not rows:
                return [], []
            users = await outbox.users_by_id(session, {row.recipient for row in rows})
            sendable = [row for row in rows if not _blocked(users, row.recipient)]
            rendered = await self.channel.render(session, sendable, users)
        jobs: list[_Job] = []
        settled: list[dict[str, Any]] = []
        for row in rows:
            message = rendered.get(row.id)
            if message is None:
                blocked = _blocked(users, row.recipient)
                status = outbox.BLOCKED if blocked else outbox.SKIPPED
                settled.append(_outcome(row, status, error="blocked" if blocked else None))
            else:
                jobs.append(_Job(row, message))
        return jobs, settled

    async def _send_all(self, jobs: list[_Job]) -> None:
        slots = asyncio.Semaphore(self.limits.concurrency)
        tasks = []
        for job in jobs:
            wait = self.limiter.chat_wait(job.row.recipient)
            if self._stopping or wait > 0:  # not attempted: due again now, or when allowed
                job.outcome = _outcome(job.row, outbox.PENDING, due_at=self.clock() + _secs(wait))
                job.outcome["claimed_by"] = None
                continue
            await slots.acquire()
            ticket = await self.limiter.acquire(job.row.recipient)
            tasks.append(asyncio.create_task(self._send_one(job, slots, ticket)))
        await asyncio.gather(*tasks)

    async def _send_one(self, job: _Job, slots: asyncio.Semaphore, ticket: list[float]) -> None:
        row = job.row
        try:
            message_id = await self.channel.send(row.recipient, job.message)
        except RetryLater as error:
            self.limiter.pause(error.retry_after)
            due = self.clock() + _secs(error.retry_after)
            job.outcome = _outcome(row, outbox.PENDING, due_at=due, error=str(error))
        except RecipientBlocked:
            job.blocked = True
            job.outcome = _outcome(row, outbox.BLOCKED, error="blocked")
        except PermanentFailure as error:
            log.warning("outbox %s to %s failed for good: %s", row.id, row.recipient, error)
            job.outcome = _outcome(row, outbox.FAILED, error=str(error))
        except Exception as error:  # time-outs, network errors, surprises: retried, bounded
            job.outcome = self._retry(row, error)
        else:
            job.outcome = _outcome(row, outbox.SENT, sent_at=self.clock(), message_id=message_id)
        finally:
            self.limiter.done(row.recipient, ticket)
            slots.release()

    def _retry(self, row: Outbox, error: Exception) -> dict[str, Any]:
        attempts = row.attempts + 1
        detail = f"{type(error).__name__}: {error}"
        if attempts >= self.limits.max_attempts:
            log.warning("outbox %s to %s failed %d times: %s", row.id, row.recipient,
                        attempts, detail)  # fmt: skip
            return _outcome(row, outbox.FAILED, attempts=attempts, error=detail)
        backoff = min(MAX_BACKOFF, 2.0**attempts)
        due = self.clock() + _secs(backoff)
        return _outcome(row, outbox.PENDING, attempts=attempts, due_at=due, error=detail)

    # -- progress for staff ----------------------------------------------------------------------

    async def _report(self, broadcast_ids: set[int]) -> None:
        if not broadcast_ids:
            return
        async with self.db.transaction() as session:
            found = await outbox.broadcasts(session, broadcast_ids)
            figures = [(b, await outbox.counts(session, b)) for b in found]
            finished = [
                b.id
                for b, counts in figures
                if counts.done and await outbox.finish(session, b.id, self.clock())
            ]
        for broadcast, counts in figures:
            if broadcast.staff_chat_id is None:
                continue
            if broadcast.id in finished:
                await self._final_report(broadcast, counts)
            elif not counts.done:
                await self._show_progress(broadcast, counts)

    async def _show_progress(self, broadcast: Broadcast, counts: outbox.Counts) -> None:
        chat, message_id = broadcast.staff_chat_id, broadcast.staff_message_id
        if chat is None or message_id is None:
            return
        shown = self.channel.render_progress(broadcast, counts)
        last_text, last_time = self._progress.get(broadcast.id, ("", 0.0))
        if shown.text == last_text or time.monotonic() - last_time < PROGRESS_EVERY:
            return  # an edit that changes nothing is refused; and staff need no flicker
        if self.limiter.chat_wait(chat) > 0:
            return
        self._progress[broadcast.id] = (shown.text, time.monotonic())
        await self._quietly(chat, self.channel.edit(chat, message_id, shown))

    async def _final_report(self, broadcast: Broadcast, counts: outbox.Counts) -> None:
        chat = broadcast.staff_chat_id
        if chat is None:
            return
        final = self.channel.render_progress(broadcast, counts)
        if broadcast.staff_message_id is not None and (
            self._progress.get(broadcast.id, ("", 0.0))[0] != final.text
        ):
            await self._quietly(chat, self.channel.edit(chat, broadcast.staff_message_id, final))
        self._progress.pop(broadcast.id, None)
        report = self.channel.render_report(broadcast, counts)
        await self._quietly(chat, self.channel.send(chat, report))

    async def _quietly(self, chat: int, action: Coroutine[Any, Any, Any]) -> None:
        """Progress is a courtesy: a failure to show it must not stop the delivery."""
        ticket = await self.limiter.acquire(chat)
        try:
            await action
        except RetryLater as error:
            self.limiter.pause(error.retry_after)
        except Exception:
            log.warning("%s: could not show broadcast progress", self.name, exc_info=True)
        finally:
            self.limiter.done(chat, ticket)


def _blocked(users: Mapping[int, User], user_id: int) -> bool:
    user = users.get(user_id)
    return user is not None and user.blocked


def _secs(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


def _outcome(row: Outbox, status: str, **values: Any) -> dict[str, Any]:
    return {"id": row.id, "broadcast_id": row.broadcast_id, "status": status, **values}
