"""What is found and erased for a person (`bot.privacy`, `storage.privacy`): without
Telegram, rows made directly, on each database; and the confirmation in the chat."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot import privacy as personal_data
from bot.context import IdeApplication
from bot.local_api import LocalUser
from storage import privacy
from storage.applications import ANONYMISED
from storage.db import Database
from storage.models import (
    Application,
    Conversation,
    Forum,
    Outbox,
    Question,
    Rsvp,
    User,
    utcnow,
)

PERSON, OTHER = 4001, 4002


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database.connect(database_url)
    yield database
    await database.close()


async def make_forum(db: Database, capacity: int | None = None) -> int:
    starts = utcnow() + timedelta(days=10)
    async with db.transaction() as session:
        forum = Forum(
            uid=f"forum-{capacity}@test",
            titles={"sv": "Dialogforum"},
            descriptions={"sv": "Om mötesplatser."},
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=capacity,
            status="published",
        )
        session.add(forum)
        await session.flush()
        return forum.id


async def make_person(db: Database, user_id: int, forum_id: int) -> None:
    """A person with something of everything the bot keeps."""
    async with db.transaction() as session:
        session.add(User(telegram_id=user_id, language="fi", subscribed=True))
        for text in ("Mikä on IOP?", "Miten liitymme?"):
            session.add(
                Question(
                    user_id=user_id, pack="sodertalje", language="fi", text=text, confident=True
                )
            )
        session.add(Application(applicant_id=user_id, language="fi", org_name="Luonnos ry"))
        session.add(
            Application(
                applicant_id=user_id,
                language="fi",
                status="submitted",
                reference=f"IDE-2026-{user_id}",
                org_name="Kulttuuriyhdistys ry",
                org_number="8024561238" if user_id == PERSON else "8024561246",
                contact_name="Aino Virtanen",
                contact_role="puheenjohtaja",
                email="aino@example.fi",
                phone="+46701234567",
                submitted_at=utcnow(),
            )
        )
        session.add(Rsvp(forum_id=forum_id, user_id=user_id, status="going"))
        session.add(Conversation(user_id=user_id, flow="newsletter", data={"language": "sv"}))
        session.add(Outbox(recipient=user_id, kind="newsletter", status="pending"))
        session.add(Outbox(recipient=user_id, kind="announcement", status="sent"))


async def count(db: Database, model: type, user_column: str, user_id: int) -> int:
    async with db.transaction() as session:
        column = getattr(model, user_column)
        return int(await session.scalar(select(func.count()).where(column == user_id)) or 0)


async def test_what_is_stored_about_a_person_is_found(db: Database) -> None:
    forum_id = await make_forum(db)
    await make_person(db, PERSON, forum_id)
    await make_person(db, OTHER, forum_id)

    async with db.transaction() as session:
        found = await privacy.stored_data(session, PERSON)
        nothing = await privacy.stored_data(session, 4999)

    assert found.user is not None
    assert found.user.telegram_id == PERSON
    assert found.questions == 2
    assert [a.org_name for a in found.applications] == ["Luonnos ry", "Kulttuuriyhdistys ry"]
    assert found.forum_answers == 1
    assert nothing == privacy.StoredData(None, 0, [], 0)


async def test_erasing_deletes_the_person_and_anonymises_submitted_applications(
    db: Database,
) -> None:
    forum_id = await make_forum(db)
    await make_person(db, PERSON, forum_id)
    await make_person(db, OTHER, forum_id)
    async with db.transaction() as session:  # a message going out this very moment stays
        session.add(Outbox(recipient=PERSON, kind="reminder", status="sending"))

    async with db.transaction() as session:
        kept = await personal_data.erase(session, PERSON, utcnow())

    assert kept == 1
    assert await count(db, User, "telegram_id", PERSON) == 0
    assert await count(db, Question, "user_id", PERSON) == 0
    assert await count(db, Rsvp, "user_id", PERSON) == 0
    assert await count(db, Conversation, "user_id", PERSON) == 0
    async with db.transaction() as session:
        left = list(await session.scalars(select(Outbox.status).where(Outbox.recipient == PERSON)))
        applications = list(await session.scalars(select(Application).order_by(Application.id)))
    assert left == ["sending"]
    mine = [a for a in applications if a.org_number == "8024561238"]
    assert len(mine) == 1, "the draft is gone, the submitted application stays"
    assert mine[0].applicant_id is None
    assert mine[0].org_name == "Kulttuuriyhdistys ry"
    assert (mine[0].contact_name, mine[0].contact_role) == (ANONYMISED, None)
    assert (mine[0].email, mine[0].phone) == (None, None)
    for model, column in ((User, "telegram_id"), (Question, "user_id"), (Rsvp, "user_id")):
        assert await count(db, model, column, OTHER) > 0, f"{model.__name__}: others keep theirs"
    assert await count(db, Application, "applicant_id", OTHER) == 2


async def test_a_place_given_up_by_erasing_goes_to_the_first_on_the_waitlist(
    db: Database,
) -> None:
    forum_id = await make_forum(db, capacity=1)
    async with db.transaction() as session:
        session.add(Rsvp(forum_id=forum_id, user_id=PERSON, status="going"))
        session.add(Rsvp(forum_id=forum_id, user_id=OTHER, status="waitlist"))

    async with db.transaction() as session:
        await personal_data.erase(session, PERSON, utcnow())

    async with db.transaction() as session:
        places = list(await session.scalars(select(Rsvp).where(Rsvp.forum_id == forum_id)))
        told = await session.scalar(
            select(func.count()).where(Outbox.recipient == OTHER, Outbox.forum_id == forum_id)
        )
    assert [(r.user_id, r.status) for r in places] == [(OTHER, "going")]
    assert told == 1, "the one who moved up is told"


async def test_erasing_someone_the_bot_never_met_changes_nothing(db: Database) -> None:
    forum_id = await make_forum(db)
    await make_person(db, OTHER, forum_id)

    async with db.transaction() as session:
        assert await personal_data.erase(session, 4999, utcnow()) == 0

    assert await count(db, User, "telegram_id", OTHER) == 1
    assert await count(db, Question, "user_id", OTHER) == 2


async def test_keeping_the_data_deletes_nothing(
    app: IdeApplication, person: Callable[..., LocalUser]
) -> None:
    user = person(PERSON, "en")
    await user.send("/subscribe")
    await user.send("What is IOP?")
    confirm = (await user.send("/deletemydata"))[-1]

    kept = await user.press("Keep it", confirm)

    assert kept[-1].message_id == confirm.message_id
    assert "Nothing was deleted" in kept[-1].text
    assert kept[-1].buttons == []
    db = app.bot_data.db
    assert db is not None
    assert await count(db, User, "telegram_id", PERSON) == 1
    assert await count(db, Question, "user_id", PERSON) == 1
