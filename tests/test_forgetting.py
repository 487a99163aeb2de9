"""/deletemydata forgets a person who used everything: nothing left in any table that
names them or holds a text they wrote, beyond what the README says is kept; and writing
to the bot afterwards stores nothing by itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.local_api import LocalUser
from storage.models import Base
from tests.forum_helpers import Bot, started
from tests.test_apply import SWEDISH_ANSWERS, fill

PERSON = 5100
STAFF_CHAT = -100555
THEIR_WORDS = (
    "Var kan jag parkera min cykel vid badhuset",  # a question, handed over
    "Vi har fyrtio medlemmar i Hovsjö",  # their answer to a reviewer
    "Åsa Öberg",  # the contact person
    "asa@angsbacken.se",
    "+46701234567",
)
KEPT = {  # the application as the municipality's record (README: Privacy)
    "applications": {"org_name", "org_number", "org_form", "area", "description", "website",
                     "languages", "reference", "attachment_name"},
}  # fmt: skip


async def used_everything(bot: Bot) -> LocalUser:
    await bot.staff.send("/start")
    person = bot.person(PERSON, "sv")
    await person.send("/start")
    await person.send("/subscribe")
    replies = await person.send(THEIR_WORDS[0] + "?")
    await person.press("Fråga kommunen", replies[-1])
    await person.press("✅ Skicka")
    await fill(person, SWEDISH_ANSWERS)
    await person.press("Skicka ansökan")
    await bot.deliver()  # the reviewers' cards
    await bot.staff.press("Ask for more", bot.staff.last_with_buttons())
    await bot.staff.send("Hur många medlemmar har ni?")
    await bot.deliver()
    await person.send(THEIR_WORDS[1])
    forum_id = await bot.announced(capacity=20)
    invitation = next(m for m in bot.api.bot_messages(PERSON) if "inbjuden" in m.text.lower())
    await person.press("Jag kommer", invitation)
    await bot.deliver()
    assert forum_id
    return person


async def dump(bot: Bot) -> list[tuple[str, str, Any]]:
    """Every value of every column of every table, with where it is."""
    found = []
    async with bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        for table in Base.metadata.sorted_tables:
            for row in await session.execute(select(table)):
                found += [(table.name, column, value) for column, value in row._mapping.items()]
    return found


async def test_after_deletemydata_nothing_names_the_person_or_holds_their_words(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path, contact_chat_id=STAFF_CHAT) as bot:
        bot.api.open_chat(STAFF_CHAT, "supergroup", "Kommunen")
        person = await used_everything(bot)
        assert any(value == PERSON for _, _, value in await dump(bot)), "it was all kept"

        await person.send("/deletemydata")
        await person.press("Ja, radera")
        left = [
            (table, column, value)
            for table, column, value in await dump(bot)
            if column not in KEPT.get(table, set())
        ]

        assert [spot for spot in left if spot[2] == PERSON] == [], "their Telegram id"
        for words in THEIR_WORDS:
            assert [s for s in left if isinstance(s[2], str) and words in s[2]] == [], words

        replies = await person.send("/mydata")
        assert not any(value == PERSON for _, _, value in await dump(bot)), "nothing new kept"
        assert "0" in replies[-1].text
