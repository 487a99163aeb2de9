"""The follow-up report: its figures against the data they count, its CSV files against the
answers, its chart as an image of the promised size; and `idebot followup` at a terminal."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import PROJECT_ROOT
from bot.content import AUTHORITATIVE, Pack, load_pack
from bot.followup import questionnaire, report, rounds
from bot.followup.questionnaire import Score
from bot.i18n import I18n
from bot.register_export import read_csv
from storage import applications, attendance, followups, users
from storage.db import Database
from storage.models import Forum, Outbox, Question
from tests.forum_helpers import ZONE
from tests.test_cli import Ran, cli, env, idebot  # noqa: F401  (cli and env: fixtures)

YEAR = 2025
NOW = datetime(2025, 12, 15, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack("sodertalje", PROJECT_ROOT / "content")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database.connect(database_url)
    yield database
    await database.close()


async def add_member(
    session: AsyncSession, name: str, via: str, joined: date, contact: int | None
) -> int:
    member = await applications.add_member(
        session,
        name=name,
        org_number=None,
        area=None,
        joined_on=joined,
        joined_via=via,
        public=True,
    )
    member.contact_id = contact
    if contact:
        await users.ensure(session, contact, "sv")
    return member.id


async def add_forum(session: AsyncSession, uid: str, starts: datetime, status: str) -> Forum:
    forum = Forum(
        uid=uid,
        titles={"sv": uid},
        descriptions={"sv": "–"},
        starts_at=starts,
        ends_at=starts,
        status=status,
    )
    session.add(forum)
    await session.flush()
    return forum


async def the_year(session: AsyncSession) -> None:
    """What the figures count, and what they must leave out."""
    await add_member(session, "Ett", "application", date(YEAR, 2, 1), 11)
    await add_member(session, "Två", "application", date(YEAR, 3, 1), 12)
    await add_member(session, "Tre", "forum", date(YEAR, 9, 1), 13)
    await add_member(session, "Förra året", "forum", date(YEAR - 1, 12, 31), None)
    held = await add_forum(session, "held", datetime(YEAR, 5, 5, 16, tzinfo=UTC), "published")
    held.walk_ins = 1
    for recipient, status in ((21, "sent"), (22, "sent"), (23, "sent"), (24, "failed")):
        session.add(
            Outbox(recipient=recipient, kind="announcement", forum_id=held.id, status=status)
        )
    await attendance.check_in(session, held.id, 21)
    await attendance.check_in(session, held.id, 22)
    await add_forum(session, "cancelled", datetime(YEAR, 6, 1, tzinfo=UTC), "cancelled")
    await add_forum(session, "coming", datetime(YEAR, 12, 20, tzinfo=UTC), "published")
    for language, forwarded, when in (
        ("sv", None, datetime(YEAR, 1, 2, tzinfo=UTC)),
        ("sv", -100, datetime(YEAR, 4, 2, tzinfo=UTC)),
        ("ar", None, datetime(YEAR, 7, 2, tzinfo=UTC)),
        ("fi", None, datetime(YEAR - 1, 12, 30, tzinfo=UTC)),
    ):
        session.add(
            Question(
                user_id=1,
                pack="sodertalje",
                language=language,
                text="?",
                confident=True,
                forwarded_chat_id=forwarded,
                created_at=when,
            )
        )
    await session.flush()


async def answer(session: AsyncSession, principles: list[str]) -> None:
    """Ett: 5, 4, don't know …, sends, no longer active. Två: 3 and 2, not sent. Tre: nothing."""
    found = await rounds.status(session, YEAR)
    assert found is not None
    rows = {
        m.name: (a, m) for a, m in await followups.answers_of_round(session, found.followup.id)
    }
    one, member = rows["Ett"]
    scores = [Score.FIVE, Score.FOUR] + [Score.DONT_KNOW] * (len(principles) - 2)
    for entry_id, score in zip(principles, scores, strict=True):
        questionnaire.score(one, principles, entry_id, score, language="sv", now=NOW)
    questionnaire.write_change(one, principles, "Fler möten; =SUMMA(A1)", "sv", NOW)
    questionnaire.finish(one, member, principles, False, language="sv", now=NOW)
    two, _ = rows["Två"]
    questionnaire.score(two, principles, principles[0], Score.THREE, language="ar", now=NOW)
    questionnaire.score(two, principles, principles[1], Score.TWO, language="ar", now=NOW)


async def test_the_report_counts_the_year_and_the_answers(db: Database, pack: Pack) -> None:
    principles = [entry.id for entry in pack.principles(AUTHORITATIVE)]
    async with db.transaction() as session:
        await the_year(session)
        started = await rounds.start(
            session,
            year=YEAR,
            deadline=date(YEAR, 12, 31),
            pack="sodertalje",
            now=NOW,
            zone=ZONE,
            started_by=None,
            default_language="sv",
        )
        assert started.asked == 3
        await answer(session, principles)
    async with db.transaction() as session:
        found = await report.build(session, pack, YEAR, zone=ZONE, now=NOW, language="sv")
        assert (
            await report.build(session, pack, YEAR - 1, zone=ZONE, now=NOW, language="sv") is None
        )
    assert found is not None

    figures = found.figures
    assert (figures.joined_by_application, figures.joined_at_forums) == (2, 1)
    assert [forum.title for forum in figures.forums] == ["held"], "not cancelled, not to come"
    assert (figures.invited, figures.came) == (3, 3), "sent invitations; check-ins + walk-ins"
    assert figures.questions == {"sv": 2, "ar": 1}
    assert figures.handovers == 1
    assert (figures.asked, figures.submitted, figures.in_progress) == (3, 1, 1)
    assert figures.no_longer_active == 1

    summary = read_csv(report.summary_csv(found))
    assert [row["principle_id"] for row in summary] == principles
    first, second, third = summary[0], summary[1], summary[2]
    assert (first["answers"], first["mean"], first["3"], first["5"]) == ("2", "4,00", "1", "1")
    assert (second["answers"], second["mean"], second["2"], second["4"]) == ("2", "3,00", "1", "1")
    assert (third["answers"], third["mean"], third["dont_know"]) == ("0", "", "1")
    assert first["principle"] == "Långsiktighet"

    answers = read_csv(report.answers_csv(found))
    assert [row["organisation"] for row in answers] == ["Ett", "Två"], "who answered anything"
    one, two = answers
    assert one["status"] == "submitted"
    assert one["submitted_on"] == "2025-12-15"
    assert one["Långsiktighet"] == "5"
    assert one["Mångfald"] == "don't know"
    assert one["what_should_change"] == "Fler möten; =SUMMA(A1)"
    assert one["still_active"] == "no"
    assert (two["status"], two["language"], two["Öppenhet och insyn"]) == (
        "in progress",
        "ar",
        "2",
    )
    assert two["still_active"] == ""

    counted = {row["figure"]: row["value"] for row in read_csv(report.figures_csv(found))}
    assert counted["invited"] == "3"
    assert counted["questions_sv"] == "2"
    assert counted["handed_over"] == "1"

    t = I18n("sv", ZONE).translator("sv")
    image = Image.open(io.BytesIO(report.chart_png(found, t)))
    assert image.format == "PNG"
    assert image.size == report.CHART_SIZE == (1200, 700)


def test_followup_report_help_says_what_it_writes(env: dict[str, str]) -> None:  # noqa: F811
    result = idebot("followup", "report", "--help", env=env)

    assert result.returncode == 0, result.stderr
    assert "--out DIR" in result.stdout
    for written in ("followup-YEAR.csv", "followup-YEAR-summary.csv", "followup-YEAR.png"):
        assert written in result.stdout


def test_followup_from_the_command_line(
    cli: Callable[..., Ran],  # noqa: F811
    tmp_path: Path,
) -> None:
    missing = cli("followup", "report", "--year", "2024", "--out", str(tmp_path))
    assert missing.returncode == 1
    assert "no follow-up was started for 2024" in missing.stderr
    wrong = cli("followup", "start", "--deadline", "2001-01-01")
    assert wrong.returncode == 2
    assert "--deadline" in wrong.stderr

    started = cli("followup", "start")
    assert started.returncode == 0, started.stderr
    assert "0 organisations asked" in started.stdout
    again = cli("followup", "start")
    assert "started again" in again.stdout

    out = tmp_path / "report"
    year = started.stdout.split()[1]
    written = cli("followup", "report", "--out", str(out))
    assert written.returncode == 0, written.stderr
    names = sorted(path.name for path in out.iterdir())
    assert names == sorted(report.file_names(int(year)))
    assert written.stdout.splitlines() == [
        str(out / name) for name in report.file_names(int(year))
    ]
    with Image.open(out / f"followup-{year}.png") as image:
        assert image.size == (1200, 700)
    assert read_csv((out / f"followup-{year}.csv").read_bytes()) == []
