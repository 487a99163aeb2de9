"""Repository functions for the outbox and broadcasts. They never commit.

Claiming is safe with several workers: rows are selected `FOR UPDATE SKIP LOCKED` on
PostgreSQL, and the update to "sending" only takes rows that are still "pending", so a row
is never claimed twice even where the backend has no row locks (SQLite)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from storage.models import Broadcast, Outbox, User

PENDING, SENDING, SENT = "pending", "sending", "sent"
BLOCKED, SKIPPED, FAILED, DROPPED = "blocked", "skipped", "failed", "dropped"
EXPIRED = "expired"  # could not be sent before its deadline (an outage longer than that)
FINAL_STATUSES = (SENT, BLOCKED, SKIPPED, FAILED, DROPPED, EXPIRED)


@dataclass(frozen=True)
class Counts:
    """How far a broadcast has come."""

    total: int
    sent: int
    pending: int  # pending or sending
    failed: int  # failed for good, or expired unsent
    blocked: int  # the person has blocked the bot, or no longer wants this
    unknown: int  # sent again after a crash: the person may have it twice

    @property
    def done(self) -> bool:
        return self.pending == 0


async def add_broadcast(
    session: AsyncSession,
    *,
    kind: str,
    forum_id: int | None = None,
    newsletter_id: int | None = None,
    staff_chat_id: int | None = None,
    staff_language: str | None = None,
) -> Broadcast:
    broadcast = Broadcast(
        kind=kind,
        forum_id=forum_id,
        newsletter_id=newsletter_id,
        staff_chat_id=staff_chat_id,
        staff_language=staff_language,
    )
    session.add(broadcast)
    await session.flush()
    return broadcast


async def watch_broadcast(broadcast_id: int, session: AsyncSession, message_id: int) -> None:
    """The staff message that shows a broadcast's progress (edited by the worker)."""
    await session.execute(
        update(Broadcast).where(Broadcast.id == broadcast_id).values(staff_message_id=message_id)
    )


async def enqueue_to(
    session: AsyncSession,
    recipients: Select[int],
    *,
    kind: str,
    due_at: datetime,
    broadcast: Broadcast | None = None,
    forum_id: int | None = None,
    newsletter_id: int | None = None,
    payload: Mapping[str, Any] | None = None,
) -> int:
    """One row per recipient that `recipients` (a select of user ids) yields, written with
    one INSERT … SELECT however many there are. Returns how many were queued."""
    subquery = recipients.subquery()
    (user_id,) = subquery.c
    columns = (
        (Outbox.kind, kind),
        (Outbox.broadcast_id, broadcast.id if broadcast else None),
        (Outbox.forum_id, forum_id),
        (Outbox.newsletter_id, newsletter_id),
        (Outbox.payload, dict(payload) if payload is not None else None),
        (Outbox.status, PENDING),
        (Outbox.due_at, due_at),
        (Outbox.attempts, 0),
        (Outbox.in_doubt, False),
        (Outbox.created_at, due_at),
    )
    # Typed literals: PostgreSQL needs to know the type of every value it is handed.
    values = select(user_id, *(literal(value, column.type) for column, value in columns))
    result = await session.execute(
        insert(Outbox).from_select(
            [Outbox.recipient, *(column for column, _ in columns)],
            values,
        )
    )
    queued = max(result.rowcount or 0, 0)  # type: ignore[attr-defined]
    if broadcast is not None:
        broadcast.total += queued
    return queued


async def broadcast_to(
    session: AsyncSession,
    recipients: Select[int],
    *,
    kind: str,
    now: datetime,
    staff_chat_id: int | None,
    staff_language: str | None,
    forum_id: int | None = None,
    newsletter_id: int | None = None,
    payload: Mapping[str, Any] | None = None,
) -> Broadcast:
    """A broadcast (whose progress staff see) and its rows, one per recipient."""
    broadcast = await add_broadcast(
        session,
        kind=kind,
        forum_id=forum_id,
        newsletter_id=newsletter_id,
        staff_chat_id=staff_chat_id,
        staff_language=staff_language,
    )
    await enqueue_to(
        session,
        recipients,
        kind=kind,
        due_at=now,
        broadcast=broadcast,
        forum_id=forum_id,
        newsletter_id=newsletter_id,
        payload=payload,
    )
    return broadcast


async def enqueue_one(
    session: AsyncSession,
    recipient: int,
    *,
    kind: str,
    due_at: datetime,
    forum_id: int | None = None,
    payload: Mapping[str, Any] | None = None,
) -> Outbox:
    row = Outbox(
        recipient=recipient,
        kind=kind,
        forum_id=forum_id,
        payload=dict(payload) if payload is not None else None,
        status=PENDING,
        due_at=due_at,
        attempts=0,
        in_doubt=False,
        created_at=due_at,
    )
    session.add(row)
    await session.flush()
    return row


async def claim(session: AsyncSession, now: datetime, limit: int, worker: str) -> list[Outbox]:
    """Take up to `limit` due rows for this worker and mark them "sending"."""
    candidates = await session.scalars(
        select(Outbox.id)
        .where(Outbox.status == PENDING, Outbox.due_at <= now)
        .order_by(Outbox.due_at, Outbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(candidates)
    if not ids:
        return []
    claimed = await session.scalars(
        update(Outbox)
        .where(Outbox.id.in_(ids), Outbox.status == PENDING)
        .values(status=SENDING, claimed_by=worker, claimed_at=now)
        .returning(Outbox)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed, key=lambda row: (row.due_at, row.id))


async def record(session: AsyncSession, outcomes: Sequence[Mapping[str, Any]]) -> None:
    """Write outcomes: each a dict with the row's `id` and the columns to set."""
    if outcomes:
        await session.execute(update(Outbox), [dict(outcome) for outcome in outcomes])


async def recover_in_flight(
    session: AsyncSession, claimed_before: datetime, *, not_by: str | None = None
) -> int:
    """Rows left "sending" by a worker that died (their lease ran out): they go out again,
    marked in doubt. A worker never takes back its own rows (`not_by`)."""
    query = update(Outbox).where(Outbox.status == SENDING, Outbox.claimed_at < claimed_before)
    if not_by is not None:
        query = query.where(Outbox.claimed_by != not_by)
    result = await session.execute(
        query.values(status=PENDING, in_doubt=True, claimed_by=None).execution_options(
            synchronize_session=False
        )
    )
    return max(result.rowcount or 0, 0)  # type: ignore[attr-defined]


async def renew_lease(session: AsyncSession, worker: str, now: datetime) -> None:
    """A live worker's heartbeat: its rows in flight stay its own."""
    await session.execute(
        update(Outbox)
        .where(Outbox.status == SENDING, Outbox.claimed_by == worker)
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )


async def drop_pending(session: AsyncSession, forum_id: int, kinds: Iterable[str]) -> int:
    """Rows about a forum that are no longer wanted (it was cancelled)."""
    result = await session.execute(
        update(Outbox)
        .where(
            Outbox.forum_id == forum_id,
            Outbox.status == PENDING,
            Outbox.kind.in_(list(kinds)),
        )
        .values(status=DROPPED)
        .execution_options(synchronize_session=False)
    )
    return max(result.rowcount or 0, 0)  # type: ignore[attr-defined]


async def next_due(session: AsyncSession) -> datetime | None:
    return await session.scalar(select(func.min(Outbox.due_at)).where(Outbox.status == PENDING))


async def users_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, User]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await session.scalars(select(User).where(User.telegram_id.in_(wanted)))
    return {user.telegram_id: user for user in rows}


async def mark_blocked(session: AsyncSession, user_ids: Iterable[int]) -> None:
    wanted = set(user_ids)
    if wanted:
        await session.execute(
            update(User).where(User.telegram_id.in_(wanted)).values(blocked=True)
        )


async def counts(session: AsyncSession, broadcast: Broadcast) -> Counts:
    rows = await session.execute(
        select(Outbox.status, Outbox.in_doubt, func.count())
        .where(Outbox.broadcast_id == broadcast.id)
        .group_by(Outbox.status, Outbox.in_doubt)
    )
    by_status: dict[str, int] = {}
    unknown = 0
    for status, in_doubt, number in rows.all():
        by_status[status] = by_status.get(status, 0) + number
        if in_doubt and status == SENT:
            unknown += number
    return Counts(
        total=broadcast.total,
        sent=by_status.get(SENT, 0),
        pending=by_status.get(PENDING, 0) + by_status.get(SENDING, 0),
        failed=by_status.get(FAILED, 0) + by_status.get(EXPIRED, 0),
        blocked=by_status.get(BLOCKED, 0) + by_status.get(SKIPPED, 0),
        unknown=unknown,
    )


async def broadcasts(session: AsyncSession, ids: Iterable[int]) -> list[Broadcast]:
    wanted = set(ids)
    if not wanted:
        return []
    return list(await session.scalars(select(Broadcast).where(Broadcast.id.in_(wanted))))


async def finish(session: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    """Mark the broadcast finished; True for the one worker that did it."""
    result = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.finished_at.is_(None))
        .values(finished_at=now)
        .returning(Broadcast.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def set_blocked(session: AsyncSession, user_id: int, blocked: bool) -> None:
    await session.execute(update(User).where(User.telegram_id == user_id).values(blocked=blocked))


async def status_counts(session: AsyncSession) -> dict[str, int]:
    """Rows by status, every status named (0 where there are none): for /metrics."""
    rows = await session.execute(select(Outbox.status, func.count()).group_by(Outbox.status))
    counts = dict.fromkeys((PENDING, SENDING, *FINAL_STATUSES), 0)
    counts.update({status: int(number) for status, number in rows.all()})
    return counts
