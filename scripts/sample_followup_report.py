"""Make the sample follow-up report shown in the README: a scratch SQLite database with
made-up organisations, forums, questions and follow-up answers (given through the same
domain functions the chat uses), then the real report, written to docs/sample/ and
docs/followup-sample.png.

    python scripts/sample_followup_report.py
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import PROJECT_ROOT
from bot.content import AUTHORITATIVE, load_pack
from bot.followup import questionnaire, report, rounds
from bot.i18n import I18n
from storage import applications, attendance, followups, migrate, users
from storage.db import Database
from storage.models import Forum, Outbox, Question

YEAR = 2026
NOW = datetime(2026, 12, 18, 12, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Stockholm")
PACK = "sodertalje"
OUT = PROJECT_ROOT / "docs"

# name, joined via, contact's language, scores by principle (in the pack's order; 0 = don't
# know, None = not answered), what should change, still active
ORGANISATIONS = [
    (
        "Föreningen Ängsö",
        "application",
        "sv",
        [4, 5, 3, 4, 5, 3, 4],
        "Fler möten på kvällstid.",
        True,
    ),
    (
        "Somaliska kvinnoföreningen",
        "forum",
        "so",
        [3, 4, 4, 2, 4, 0, 3],
        "Kommunen borde svara snabbare på mejl.",
        True,
    ),
    ("Idrottsklubben Norr", "application", "sv", [5, 4, 4, 5, 3, 4, 4], None, True),
    (
        "Arabiska kulturföreningen",
        "forum",
        "ar",
        [4, 3, 5, 3, 4, 3, 5],
        "Tolk vid dialogforum skulle hjälpa.",
        True,
    ),
    (
        "Finska föreningen i Södertälje",
        "application",
        "fi",
        [3, 3, 4, 4, 4, 2, 3],
        "Tydligare information om bidrag.",
        True,
    ),
    ("Läxhjälpen", "forum", "sv", [2, 3, 3, 2, 3, 0, 2], None, False),
    ("Körsångarna", "application", "en", [4, 4, None, None, None, None, None], None, None),
    ("Scoutkåren Tälje", "forum", "sv", [None] * 7, None, None),
]
QUESTIONS = {"sv": 41, "ar": 12, "so": 9, "fi": 6, "en": 5}


async def fill(session: AsyncSession) -> None:
    for number, (name, via, language, *_) in enumerate(ORGANISATIONS, start=1):
        member = await applications.add_member(
            session,
            name=name,
            org_number=None,
            area=None,
            public=True,
            joined_via=via,
            joined_on=date(YEAR, 1 + number, 10),
        )
        member.contact_id = 7000 + number
        await users.ensure(session, 7000 + number, language)
    for month, invited, came in ((3, 64, 31), (6, 58, 24), (10, 71, 38)):
        forum = Forum(
            uid=f"sample-{month}",
            titles={"sv": f"Dialogforum {month}/{YEAR}"},
            descriptions={"sv": "Exempel"},
            starts_at=datetime(YEAR, month, 14, 16, tzinfo=UTC),
            ends_at=datetime(YEAR, month, 14, 18, tzinfo=UTC),
            status="published",
            walk_ins=came,
        )
        session.add(forum)
        await session.flush()
        session.add_all(
            Outbox(recipient=9000 + n, kind="announcement", forum_id=forum.id, status="sent")
            for n in range(invited)
        )
        await attendance.check_in(session, forum.id, 7001)
    for language, count in QUESTIONS.items():
        session.add_all(
            Question(
                user_id=9999,
                pack=PACK,
                language=language,
                text="…",
                confident=True,
                created_at=datetime(YEAR, 5, 1, tzinfo=UTC),
                forwarded_chat_id=-100 if n < 2 else None,
            )
            for n in range(count)
        )
    await session.flush()


async def answer(session: AsyncSession, principles: list[str]) -> None:
    rows = await applications.members(session, public_only=False)
    by_name = {member.name: member for member in rows}
    followup = await rounds.status(session, YEAR)
    assert followup is not None
    for given, member_row in await followups.answers_of_round(session, followup.followup.id):
        name, _, language, scores, change, active = next(
            o for o in ORGANISATIONS if o[0] == member_row.name
        )
        member = by_name[name]
        for entry_id, score in zip(principles, scores, strict=True):
            if score is not None:
                value = (
                    questionnaire.Score.DONT_KNOW
                    if score == 0
                    else questionnaire.Score(str(score))
                )
                questionnaire.score(given, principles, entry_id, value, language=language, now=NOW)
        if active is None:
            continue
        if change:
            questionnaire.write_change(given, principles, change, language, NOW)
        else:
            questionnaire.skip_change(given, principles, language, NOW)
        questionnaire.finish(given, member, principles, active, language=language, now=NOW)


async def main() -> None:
    pack = load_pack(PACK, PROJECT_ROOT / "content")
    principles = [entry.id for entry in pack.principles(AUTHORITATIVE)]
    folder = Path(tempfile.mkdtemp())
    db = Database.connect(f"sqlite+aiosqlite:///{folder / 'sample.sqlite3'}")
    try:
        await migrate.upgrade(db.engine)
        async with db.transaction() as session:
            await fill(session)
            await rounds.start(
                session,
                year=YEAR,
                deadline=date(YEAR, 12, 31),
                pack=PACK,
                now=NOW - timedelta(days=20),
                zone=ZONE,
                started_by=None,
                default_language="sv",
            )
            await answer(session, principles)
        async with db.transaction() as session:
            found = await report.build(session, pack, YEAR, zone=ZONE, now=NOW, language="sv")
        assert found is not None
        t = I18n("sv", ZONE).translator("sv")
        for path in report.write(found, t, folder / "out"):
            target = OUT / "followup-sample.png" if path.suffix == ".png" else OUT / "sample"
            target.parent.mkdir(parents=True, exist_ok=True)
            (OUT / "sample").mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
            print(target if target.suffix else target / path.name)
    finally:
        await db.close()
        shutil.rmtree(folder)


if __name__ == "__main__":
    asyncio.run(main())
