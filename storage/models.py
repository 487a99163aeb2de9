"""SQLAlchemy models. Times are stored timezone-aware, in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    MetaData,
    String,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

MAX_QUESTION = 1000  # characters of a question kept; longer ones are cut

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every backend (SQLite keeps no zone, so we add it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; store aware ones")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime()}  # noqa: RUF012


class User(Base):
    """A person who has talked to the bot in a private chat: only what the features need."""

    __tablename__ = "users"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str | None] = mapped_column(String(8))
    first_seen: Mapped[datetime] = mapped_column(server_default=func.now())
    last_seen: Mapped[datetime] = mapped_column(server_default=func.now())
    subscribed: Mapped[bool] = mapped_column(default=False, server_default=false())
    subscription_asked: Mapped[bool] = mapped_column(default=False, server_default=false())
    blocked: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Wants the minutes or summary of forums they did not come to (attendees always get them).
    wants_summaries: Mapped[bool] = mapped_column(default=False, server_default=false())


class Question(Base):
    """A question asked in the chat: kept to improve the content (see /gaps) and to relay a
    staff answer. Personal data: only the asker's Telegram id."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    pack: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(String(MAX_QUESTION))
    entry_id: Mapped[str | None] = mapped_column(String(80))
    confident: Mapped[bool]
    helpful: Mapped[bool | None]
    forwarded_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    forwarded_message_id: Mapped[int | None] = mapped_column(BigInteger)
    answered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    __table_args__ = (
        Index("ix_questions_forwarded", "forwarded_chat_id", "forwarded_message_id"),
    )


class ApplicationStatus(StrEnum):
    """Where an application is: a draft being filled in, submitted (waiting for a
    decision), waiting for the applicant's answer to a question, or decided."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    NEEDS_INFO = "needs_info"
    APPROVED = "approved"
    REJECTED = "rejected"


OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.NEEDS_INFO)  # undecided
_OPEN_SQL = f"status IN ({', '.join(repr(str(status)) for status in OPEN_STATUSES)})"


class Application(Base):
    """A written application to join. A draft keeps the form's progress (`step`), so it
    survives restarts; `reference` is given at submission."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    applicant_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default=ApplicationStatus.DRAFT, index=True)
    step: Mapped[str | None] = mapped_column(String(32))
    editing: Mapped[bool] = mapped_column(default=False)
    org_name: Mapped[str | None] = mapped_column(String(150))
    org_number: Mapped[str | None] = mapped_column(String(10))
    no_number: Mapped[bool] = mapped_column(default=False)
    no_number_reason: Mapped[str | None] = mapped_column(String(500))
    org_form: Mapped[str | None] = mapped_column(String(32))
    area: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(1000))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_role: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    website: Mapped[str | None] = mapped_column(String(200))
    languages: Mapped[str | None] = mapped_column(String(200))
    attachment_file_id: Mapped[str | None] = mapped_column(String(200))
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    consent_at: Mapped[datetime | None]
    public: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decision_reason: Mapped[str | None] = mapped_column(String(1000))
    # The exchange with the applicant, oldest first; loaded only where asked for.
    notes: Mapped[list[ApplicationNote]] = relationship(
        order_by="ApplicationNote.id", viewonly=True, lazy="raise"
    )

    __table_args__ = (
        # One open application per organisation number, even when two arrive at once.
        Index(
            "uq_applications_open_org_number",
            "org_number",
            unique=True,
            sqlite_where=sql_text(_OPEN_SQL),
            postgresql_where=sql_text(_OPEN_SQL),
        ),
    )


class ApplicationNote(Base):
    """The exchange when a reviewer asks for more information and the applicant answers."""

    __tablename__ = "application_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(16))  # "reviewer" or "applicant"
    author_id: Mapped[int | None] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Member(Base):
    """The register of organisations that have signed the agreement."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    org_number: Mapped[str | None] = mapped_column(String(10), unique=True)
    area: Mapped[str | None] = mapped_column(String(100))
    joined_on: Mapped[date]
    joined_via: Mapped[str] = mapped_column(String(16))  # "application" or "forum"
    public: Mapped[bool] = mapped_column(default=False)
    # The Telegram account of its contact person, connected through the organisation's link.
    contact_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    # Said "no longer active" in a follow-up: on staff's list to confirm its removal.
    inactive_reported_at: Mapped[datetime | None]
    left_on: Mapped[date | None]  # removed from the register (kept for the year's figures)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="SET NULL")
    )


class StaffRole(Base):
    """Reviewers (and admins) recorded in the database, beside ADMIN_IDS."""

    __tablename__ = "staff_roles"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(16))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Who did what to what, and when: every staff action and every refused attempt."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(60))
    detail: Mapped[str | None] = mapped_column(String(1000))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


# -- dialogue forums and delivery (issue 5) ---------------------------------------------------


class Forum(Base):
    """A dialogue forum. Titles and descriptions are per language (Swedish required)."""

    __tablename__ = "forums"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    titles: Mapped[dict[str, str]] = mapped_column(JSON)
    descriptions: Mapped[dict[str, str]] = mapped_column(JSON)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(300))
    link: Mapped[str | None] = mapped_column(String(500))
    focus: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[int | None]
    deadline: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(12), default="draft")  # draft|published|cancelled
    sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE: bumped on changes
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    walk_ins: Mapped[int] = mapped_column(default=0, server_default="0")  # counted at the door
    minutes: Mapped[dict[str, str] | None] = mapped_column(JSON)  # language → text; sv first
    minutes_sent_at: Mapped[datetime | None]
    # Last change of any kind: the calendar feeds' DTSTAMP and HTTP Last-Modified.
    updated_at: Mapped[datetime | None] = mapped_column(default=utcnow, onupdate=utcnow)


class Rsvp(Base):
    """A person's answer to a forum; the waitlist is ordered by `answered_at`, then id."""

    __tablename__ = "rsvps"

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12))  # going|waitlist|not_going
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    interpretation: Mapped[str | None] = mapped_column(String(60))  # a language code or text
    needs: Mapped[str | None] = mapped_column(String(500))  # anything else, in their words

    __table_args__ = (UniqueConstraint("forum_id", "user_id"),)


class Reminder(Base):
    """A reminder due at a time; when due it becomes outbox rows for its audience."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id"), index=True)
    due_at: Mapped[datetime]
    # attendees|subscribers (reminders), needs (staff's summary), feedback (the day after)
    audience: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending|done|dropped

    __table_args__ = (Index("ix_reminders_status_due", "status", "due_at"),)


class Newsletter(Base):
    """A newsletter composed by staff: Swedish text required, other languages optional."""

    __tablename__ = "newsletters"

    id: Mapped[int] = mapped_column(primary_key=True)
    texts: Mapped[dict[str, str]] = mapped_column(JSON)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class Broadcast(Base):
    """One send to many: its outbox rows point here; staff see its progress in one message."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    forum_id: Mapped[int | None]
    newsletter_id: Mapped[int | None]
    total: Mapped[int] = mapped_column(default=0)
    staff_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    staff_message_id: Mapped[int | None] = mapped_column(BigInteger)
    staff_language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class Outbox(Base):
    """A message to one person, sent by the delivery worker. `status`: pending → sending →
    sent | blocked | skipped | failed | dropped. A row found in "sending" after a crash was
    in flight: it is sent again and keeps `in_doubt` (reported as "unknown")."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int | None] = mapped_column(index=True)
    recipient: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    forum_id: Mapped[int | None] = mapped_column(index=True)
    newsletter_id: Mapped[int | None]
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    in_doubt: Mapped[bool] = mapped_column(default=False)
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_outbox_status_due", "status", "due_at"),)


class Conversation(Base):
    """Where a person's next typed text goes: one named flow (an application form, a reason
    or question a reviewer writes, a staff member's new forum …) at one named step, about one
    subject (the application, forum or newsletter). No row: the text is a question about the
    agreement. At most one per person; kept in the database, so a restart loses nothing.
    The flows are `bot.conversations.Flow`; each declares its steps in its own module."""

    __tablename__ = "conversations"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    flow: Mapped[str] = mapped_column(String(24))
    step: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[int | None]
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Link(Base):
    """An unguessable token that opens something from outside the chat: a forum's invitation
    (`forum`), its door check-in (`checkin`), an organisation's contact connection (`member`)
    or a person's calendar feed (`calendar`). Revoked links stay, so an old poster can say
    so instead of "not found"."""

    __tablename__ = "links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_links_kind_subject", "kind", "subject_id"),)


class CheckIn(Base):
    """Someone who came to a forum, recorded once at the door."""

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id"))
    user_id: Mapped[int | None] = mapped_column(BigInteger)  # None once the person is erased
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("forum_id", "user_id"),)


class Feedback(Base):
    """What someone who came thought of a forum: asked once, the day after."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id"))
    user_id: Mapped[int | None] = mapped_column(BigInteger)  # None once the person is erased
    rating: Mapped[int | None]  # 1–5
    comment: Mapped[str | None] = mapped_column(String(1000))
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("forum_id", "user_id"),)


class FollowUp(Base):
    """The yearly follow-up of the agreement: one round a year, open until its deadline."""

    __tablename__ = "followups"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    pack: Mapped[str] = mapped_column(String(40))
    deadline: Mapped[datetime]
    started_by: Mapped[int | None] = mapped_column(BigInteger)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]


class FollowUpAnswer(Base):
    """One organisation's answers to a follow-up, saved step by step. `scores` maps a
    principle's entry id to 1–5, or 0 for "don't know"."""

    __tablename__ = "followup_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    followup_id: Mapped[int] = mapped_column(ForeignKey("followups.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    user_id: Mapped[int | None] = mapped_column(BigInteger)  # the contact asked; None if erased
    language: Mapped[str] = mapped_column(String(8))
    step: Mapped[str | None] = mapped_column(String(80))
    scores: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    change: Mapped[str | None] = mapped_column(String(1000))
    still_active: Mapped[bool | None]
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    reminders: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("followup_id", "member_id"),)
