"""SQLAlchemy models. Times are stored timezone-aware, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Index, MetaData, String, false, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
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
