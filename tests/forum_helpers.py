"""A bot with a clock the tests can move and a delivery worker they drive round by round;
forums created directly through the domain (the guided flow has tests of its own), and a
staff member who publishes and manages them through the real Application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import build_application, running
from bot.buttons import CallbackData
from bot.context import IdeApplication
from bot.delivery import Worker
from bot.forums import imports, lifecycle
from bot.forums.reminders import Schedule
from bot.forums.rules import AUTHORITATIVE, ForumFields
from bot.local_api import LocalBotApi, LocalUser, Message
from handlers.forum_admin import ForumAction, ForumAdminButton
from storage.models import Forum
from tests.conftest import ADMIN_ID, make_settings, shared_knowledge

ZONE = ZoneInfo("Europe/Stockholm")


@dataclass
class Clock:
    """Real time moved by `offset`: due times and rate limits keep flowing."""

    offset: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def set(self, moment: datetime) -> None:
        self.offset = moment - datetime.now(UTC)


@dataclass
class Bot:
    app: IdeApplication
    api: LocalBotApi
    clock: Clock
    people: dict[int, LocalUser] = field(default_factory=dict)

    def person(self, user_id: int, language: str | None = "sv") -> LocalUser:
        if user_id not in self.people:
            self.people[user_id] = LocalUser(self.api, self.app, user_id, language_code=language)
        return self.people[user_id]

    @property
    def staff(self) -> LocalUser:
        return self.person(ADMIN_ID, "en")

    @property
    def worker(self) -> Worker:
        assert self.app.bot_data.worker is not None
        return self.app.bot_data.worker

    async def deliver(self) -> None:
        await self.worker.drain(within=20)

    async def subscriber(self, user_id: int, language: str) -> LocalUser:
        user = self.person(user_id, language)
        await user.send("/start")
        await user.send("/subscribe")
        return user

    async def forum(self, forum_id: int) -> Forum:
        async with self.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
            forum = await session.scalar(select(Forum).where(Forum.id == forum_id))
        assert forum is not None
        return forum

    async def scalar(self, query: Any) -> Any:
        async with self.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
            return await session.scalar(query)

    async def scalars(self, query: Any) -> list[Any]:
        async with self.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
            return list(await session.scalars(query))

    async def create_forum(
        self,
        *,
        title: str = "Dialogforum om mötesplatser",
        starts: datetime | None = None,
        hours: int = 2,
        capacity: int | None = None,
        place: str = "Stadshuset, Campusgatan 26",
    ) -> int:
        """A draft made by staff, as /newforum would make it; returns its id."""
        start = (starts or self.clock() + timedelta(days=10)).replace(second=0, microsecond=0)
        fields = ForumFields(
            titles={AUTHORITATIVE: title},
            descriptions={AUTHORITATIVE: "Vi pratar om mötesplatser för unga."},
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            place=place,
            capacity=capacity,
        )
        async with self.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
            forum = await lifecycle.create(session, fields, ADMIN_ID, self.clock())
        return forum.id

    async def announced(self, **forum: Any) -> int:
        """A forum created (see `create_forum`), published and its invitations delivered."""
        forum_id = await self.create_forum(**forum)
        await self.publish(forum_id)
        await self.deliver()
        return forum_id

    async def reimport(self, forum_id: int, **changes: Any) -> imports.ImportReport:
        """The forum as a file or feed would give it again, with `changes`, imported."""
        forum = await self.forum(forum_id)
        fields = ForumFields(
            titles=forum.titles,
            descriptions=forum.descriptions,
            starts_at=forum.starts_at,
            ends_at=forum.ends_at,
            place=forum.place,
            link=forum.link,
            uid=forum.uid,
        )
        async with self.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
            return await imports.upsert(
                session, [replace(fields, **changes)], self.clock(), Schedule()
            )

    async def staff_presses(self, button: CallbackData) -> list[Message]:
        """Staff press `button` (on their last message with buttons: a button's data is
        what counts, and the server checks it)."""
        staff = self.staff
        if not any(m.buttons for m in self.api.bot_messages(staff.chat_id)):
            await staff.send("/start")
        return await staff.press_data(button.pack(), staff.last_with_buttons())

    async def publish(self, forum_id: int) -> list[Message]:
        """Staff open the forum's publish question and say yes."""
        await self.staff_presses(ForumAdminButton(ForumAction.PUBLISH, forum_id))
        return await self.staff.press("Yes, publish")


@asynccontextmanager
async def started(
    database_url: str,
    tmp_path: Path,
    *,
    api: LocalBotApi | None = None,
    clock: Clock | None = None,
    **settings: object,
) -> AsyncIterator[Bot]:
    """The bot with its worker not running on its own (tests call `deliver`). Telegram's
    pace of one message a second per chat is kept in real time, which a test's clock does
    not move; so it is off here, unless a test sets `delivery_chat_rate` to test it."""
    options: dict[str, object] = {"delivery_worker": False, "delivery_chat_rate": 100, **settings}
    bot_api = api or LocalBotApi()
    app = build_application(
        make_settings(database_url, tmp_path, **options),
        request=bot_api,
        knowledge=shared_knowledge(),
    )
    clock = clock or Clock()
    app.bot_data.clock = clock
    async with running(app):
        yield Bot(app, bot_api, clock)
