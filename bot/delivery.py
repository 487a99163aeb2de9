"""The delivery worker: sends what the outbox holds, under Telegram's limits, once.

A round (`Worker.deliver_due`) runs the due hooks (reminders becoming outbox rows), claims a
batch of due rows and marks them "sending" (one commit), sends them through the one sender
(`Channel.send`, under the limits it shares with replies), and records every outcome (one
commit):

- sent: the message id and time are kept;
- 429 (`RetryLater`): every bulk send pauses for `retry_after`, and the row is due again then;
- 403 (`RecipientBlocked`): the person is marked blocked, and skipped from then on;
- refused for good (`PermanentFailure`): failed;
- no answer, no connection, 5xx (`TemporaryFailure`): Telegram cannot be reached. The worker
  goes *offline*: it stops sending, and probes with one row at a time, after 1, 2, 4 … up to
  `OUTAGE_MAX_BACKOFF` seconds, until a send goes through. Rows are not failed for that;
  they wait until their kind's deadline (`Limits.deadlines`) has passed, and then expire.

A crash loses nothing: rows that were claimed but not yet recorded are found in "sending"
at the next start (SQLite, one worker) or once their lease has run out (PostgreSQL, several
workers) and sent again, marked `in_doubt` ("unknown" in reports); so is a row whose send
timed out (Telegram may have delivered it). Those, and only those, may reach a person twice.
Staff see a broadcast's progress edited in place, and a final report. This module knows
nothing of Telegram: a `Channel` renders and sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.outgoing import (
    PermanentFailure,
    RateLimiter,
    RecipientBlocked,
    Rendered,
    RetryLater,
    TemporaryFailure,
)
from storage import outbox
from storage.db import Database
from storage.models import Broadcast, Outbox, User

log = logging.getLogger(__name__)

OUTAGE_MAX_BACKOFF = 60.0  # seconds between probes while Telegram cannot be reached
PROGRESS_EVERY = 2.0  # seconds between edits of a progress message
REPORT = "report"  # the outbox kind of a broadcast's final report to staff
DEFAULT_DEADLINE = timedelta(days=2)  # for a kind that `Limits.deadlines` does not name


class Channel(Protocol):
    """What the worker needs from the messenger: render rows, send, edit."""

    async def render(
        self, session: AsyncSession, rows: Sequence[Outbox], users: Mapping[int, User]
    ) -> dict[int, Rendered | None]:
        """The message for each row, in its recipient's language; None skips the row."""
        ...

    def render_progress(self, broadcast: Broadcast, counts: outbox.Counts) -> Rendered: ...

    async def send(self, chat_id: int, message: Rendered) -> int:
        """Send; return the message id, or raise one of this module's exceptions."""
        ...

    async def edit(self, chat_id: int, message_id: int, message: Rendered) -> None: ...


Hook = Callable[[AsyncSession, datetime], Awaitable[Any]]


@dataclass(frozen=True)
class Limits:
    rate: float = 30.0  # messages per second overall
    chat_rate: float = 1.0  # messages per second to one chat
    deadlines: Mapping[str, timedelta] = field(default_factory=dict)  # by kind, from queuing
    lease: float = 60.0  # seconds a claimed row stays claimed before another worker may retry
    poll: float = 1.0  # seconds between looks at an empty outbox
    concurrency: int = 4  # sends in flight at once

    @property
    def batch(self) -> int:
        """Rows claimed per round: about a fifth of a second's worth (the most a crash can
        leave in doubt)."""
        return max(1, min(200, math.ceil(self.rate / 5)))

    def expires(self, row: Outbox) -> datetime:
        """When a row is too old to matter (forum notices also end when their forum starts:
        the channel skips those)."""
        return row.created_at + self.deadlines.get(row.kind, DEFAULT_DEADLINE)


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
        limiter: RateLimiter | None = None,
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
        self.limiter = limiter or RateLimiter(limits.rate, limits.chat_rate)  # shared with replies
        self.offline_until: datetime | None = None  # Telegram unreachable: probe from then
        self._outage_backoff = 0.0
        self._progress: dict[int, tuple[str, float]] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._wake = asyncio.Event()
        self._recovered_at = 0.0
        self.started_at: float | None = None  # monotonic times: start,
        self.last_round: float | None = None  # and the end of the last good round

    @property
    def alive(self) -> bool:
        """Started, and its task has not ended (/healthz)."""
        return self._task is not None and not self._task.done()

    # -- running -----------------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        self.started_at = time.monotonic()
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
                self.last_round = time.monotonic()
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
        self.last_round = time.monotonic()
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
        """Claimed rows ready to send, and outcomes already settled (blocked, skipped,
        expired). While Telegram cannot be reached, one row is claimed when the next probe
        is due, and none before."""
        if self.offline_until is not None and now < self.offline_until:
            return [], []
        limit = 1 if self.offline_until is not None else self.limits.batch
        async with self.db.transaction() as session:
            rows = await outbox.claim(session, now, limit, self.name)
            if not rows:
                return [], []
            users = await outbox.users_by_id(session, {row.recipient for row in rows})
            live = [row for row in rows if self.limits.expires(row) > now]
            sendable = [row for row in live if not _blocked(users, row.recipient)]
            rendered = await self.channel.render(session, sendable, users)
        jobs: list[_Job] = []
        settled: list[dict[str, Any]] = []
        for row in rows:
            message = rendered.get(row.id)
            if self.limits.expires(row) <= now:
                log.warning("outbox %s (%s) to %s expired unsent", row.id, row.kind, row.recipient)
                settled.append(_outcome(row, outbox.EXPIRED, error=row.error))
            elif message is None:
                blocked = _blocked(users, row.recipient)
                status = outbox.BLOCKED if blocked else outbox.SKIPPED
                settled.append(_outcome(row, status, error="blocked" if blocked else None))
            else:
                jobs.append(_Job(row, message))
        return jobs, settled

    async def _send_all(self, jobs: list[_Job]) -> None:
        slots = asyncio.Semaphore(self.limits.concurrency)
        tasks = []
        later: dict[int, datetime] = {}  # chats whose rows wait: all due at one time, in order
        for job in jobs:
            chat = job.row.recipient
            wait = self.limiter.chat_wait(chat)
            if self._stopping or wait > 0 or self._offline() or chat in later:
                due = later.setdefault(chat, max(self.clock() + _secs(wait), self._resume_at()))
                job.outcome = _outcome(job.row, outbox.PENDING, due_at=due, claimed_by=None)
                continue
            await slots.acquire()
            tasks.append(asyncio.create_task(self._send_one(job, slots)))
        await asyncio.gather(*tasks)

    async def _send_one(self, job: _Job, slots: asyncio.Semaphore) -> None:
        row = job.row
        try:
            message_id = await self.channel.send(row.recipient, job.message)
        except RetryLater as error:
            due = self.clock() + _secs(error.retry_after)
            job.outcome = _outcome(row, outbox.PENDING, due_at=due, error=str(error))
        except RecipientBlocked:
            job.blocked = True
            job.outcome = _outcome(row, outbox.BLOCKED, error="blocked")
        except PermanentFailure as error:
            log.warning("outbox %s to %s failed for good: %s", row.id, row.recipient, error)
            job.outcome = _outcome(row, outbox.FAILED, error=str(error))
        except TemporaryFailure as error:
            job.outcome = self._unreachable(row, error)
        except Exception as error:  # a surprise: the row waits like in an outage, and is logged
            log.exception("outbox %s to %s: unexpected failure", row.id, row.recipient)
            job.outcome = self._unreachable(row, error)
        else:
            self._reachable()
            job.outcome = _outcome(row, outbox.SENT, sent_at=self.clock(), message_id=message_id)
        finally:
            slots.release()

    # -- outages ----------------------------------------------------------------------------

    def _unreachable(self, row: Outbox, error: Exception) -> dict[str, Any]:
        """Telegram did not answer: go offline (one probe at a time from now on) and let the
        row wait for the next probe. A send that timed out may have arrived: if it is sent
        again, it is marked in doubt."""
        now = self.clock()
        if self.offline_until is None or self.offline_until <= now:
            self._outage_backoff = min(OUTAGE_MAX_BACKOFF, max(1.0, self._outage_backoff * 2))
            self.offline_until = now + _secs(self._outage_backoff)
            log.warning("%s: Telegram cannot be reached (%s); next try in %.0f s",
                        self.name, error, self._outage_backoff)  # fmt: skip
        values: dict[str, Any] = {"attempts": row.attempts + 1, "due_at": self.offline_until}
        if getattr(error, "maybe_sent", False):
            values["in_doubt"] = True
        detail = f"{type(error).__name__}: {error}"
        return _outcome(row, outbox.PENDING, error=detail, claimed_by=None, **values)

    def _reachable(self) -> None:
        if self.offline_until is not None:
            log.info("%s: Telegram answers again; delivering", self.name)
        self.offline_until, self._outage_backoff = None, 0.0

    def _offline(self) -> bool:
        """Telegram could not be reached, and the next probe is not due yet."""
        return self.offline_until is not None and self.clock() < self.offline_until

    def _resume_at(self) -> datetime:
        return self.offline_until or self.clock()

    # -- progress for staff ------------------------------------------------------------------

    async def _report(self, broadcast_ids: set[int]) -> None:
        if not broadcast_ids:
            return
        now = self.clock()
        async with self.db.transaction() as session:
            found = await outbox.broadcasts(session, broadcast_ids)
            figures = [(b, await outbox.counts(session, b)) for b in found]
            finished = [
                b.id
                for b, counts in figures
                if counts.done and await outbox.finish(session, b.id, now)
            ]
            for broadcast in found:  # the final report is a message like any other
                if broadcast.id in finished and broadcast.staff_chat_id is not None:
                    payload = {"broadcast": broadcast.id}
                    await outbox.enqueue_one(
                        session, broadcast.staff_chat_id, kind=REPORT, due_at=now, payload=payload
                    )
        if finished:
            self.wake()
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
        await self._quietly(self.channel.edit(chat, message_id, shown))

    async def _final_report(self, broadcast: Broadcast, counts: outbox.Counts) -> None:
        chat = broadcast.staff_chat_id
        if chat is None:
            return
        final = self.channel.render_progress(broadcast, counts)
        if broadcast.staff_message_id is not None and (
            self._progress.get(broadcast.id, ("", 0.0))[0] != final.text
        ):
            await self._quietly(self.channel.edit(chat, broadcast.staff_message_id, final))
        self._progress.pop(broadcast.id, None)

    async def _quietly(self, action: Coroutine[Any, Any, Any]) -> None:
        """Progress is a courtesy: a failure to show it must not stop the delivery."""
        try:
            await action
        except Exception:
            log.warning("%s: could not show broadcast progress", self.name, exc_info=True)


def _blocked(users: Mapping[int, User], user_id: int) -> bool:
    user = users.get(user_id)
    return user is not None and user.blocked


def _secs(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


def _outcome(row: Outbox, status: str, **values: Any) -> dict[str, Any]:
    return {"id": row.id, "broadcast_id": row.broadcast_id, "status": status, **values}
