"""A forum's close report: how many were invited, answered, came, what they thought, and
how many organisations were there. Figures and comments only, never names."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.forums.feedback import RATINGS
from bot.forums.notices import ForumNotice
from storage import attendance
from storage import forums as repo
from storage.models import Feedback, Forum, Member, Outbox


@dataclass(frozen=True)
class Report:
    invited: int  # invitations delivered
    going: int
    waitlist: int
    not_going: int
    checked_in: int  # check-ins plus people counted at the door
    asked: int  # asked for feedback
    ratings: dict[int, int]  # 1–5 → how many gave it
    comments: tuple[str, ...]
    organisations: int  # members whose contact came

    @property
    def answered(self) -> int:
        return self.going + self.waitlist + self.not_going

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    @property
    def average(self) -> float | None:
        """To one decimal; None when nobody rated."""
        if not self.rated:
            return None
        return round(sum(r * n for r, n in self.ratings.items()) / self.rated, 1)


async def close_report(session: AsyncSession, forum_id: int) -> Report:
    counts = await repo.tally(session, forum_id)
    invited = await session.scalar(
        select(func.count(distinct(Outbox.recipient))).where(
            Outbox.forum_id == forum_id,
            Outbox.kind == ForumNotice.ANNOUNCEMENT,
            Outbox.status == "sent",
        )
    )
    rows = (
        await session.execute(
            select(Feedback.rating, Feedback.comment)
            .where(Feedback.forum_id == forum_id)
            .order_by(Feedback.id)
        )
    ).all()
    ratings = dict.fromkeys(RATINGS, 0)
    for rating, _comment in rows:
        if rating in ratings:
            ratings[rating] += 1
    came = attendance.came(forum_id).subquery()
    organisations = await session.scalar(
        select(func.count(distinct(Member.id))).where(Member.contact_id.in_(select(came.c[0])))
    )
    return Report(
        invited=int(invited or 0),
        going=counts[repo.GOING],
        waitlist=counts[repo.WAITLIST],
        not_going=counts[repo.NOT_GOING],
        checked_in=await attendance.checked_in(session, forum_id),
        asked=len(rows),
        ratings=ratings,
        comments=tuple(comment for _rating, comment in rows if comment),
        organisations=int(organisations or 0),
    )


def report_csv(report: Report, forum: Forum, zone: ZoneInfo, now: datetime) -> bytes:
    """Two columns, figure and value, then one line per comment (UTF-8 with BOM, so
    spreadsheet programs read å, ä, ö)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(("figure", "value"))
    writer.writerows(
        [
            ("forum", forum.titles.get("sv", "")),
            ("starts_at", forum.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")),
            ("report_made_at", now.astimezone(zone).strftime("%Y-%m-%d %H:%M")),
            ("invited", report.invited),
            ("answered", report.answered),
            ("going", report.going),
            ("waitlist", report.waitlist),
            ("not_going", report.not_going),
            ("checked_in", report.checked_in),
            ("feedback_asked", report.asked),
            ("feedback_ratings", report.rated),
            ("feedback_average", "" if report.average is None else f"{report.average:.1f}"),
            *((f"rating_{rating}", n) for rating, n in report.ratings.items()),
            ("organisations", report.organisations),
            *(("comment", comment) for comment in report.comments),
        ]
    )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
