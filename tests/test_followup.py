"""The yearly follow-up through the real Application: staff start it in the chat, three
organisations' contacts get it in their own languages; one answers and says it is no longer
active (staff then remove it from the register), one never answers (two reminders, then the
round closes), one answers half, the bot restarts, and it picks up where it left off."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select

from bot.followup import rounds
from bot.followup.questionnaire import Score
from bot.register_export import read_csv
from handlers.followup import AnswerAction, AnswerButton, ScoreButton
from storage import applications, users
from storage.models import AuditEntry, FollowUp, FollowUpAnswer, Member, Outbox
from tests.conftest import forged
from tests.forum_helpers import ZONE, Bot, Clock, started

SV, AR, FI = 501, 502, 503  # the contacts of three organisations
ORGS = {
    SV: ("Föreningen Ängsö", "sv"),
    AR: ("Arabiska kulturföreningen", "ar"),
    FI: ("Suomi-seura", "fi"),
}
PRINCIPLES = 7  # in the sodertalje pack; 9 questions with "what should change" and "active"


async def register_contacts(bot: Bot, contacts: dict[int, tuple[str, str]]) -> dict[int, int]:
    """Organisations in the (public) register whose contacts have connected; member ids."""
    ids = {}
    async with bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        for contact, (name, language) in contacts.items():
            member = await applications.add_member(
                session,
                name=name,
                org_number=None,
                area=None,
                public=True,
                joined_on=bot.clock().astimezone(ZONE).date(),
                joined_via="application",
            )
            member.contact_id = contact
            await users.set_language(session, contact, language)
            ids[contact] = member.id
    for contact, (_, language) in contacts.items():
        bot.person(contact, language)  # their chat with the bot
    return ids


async def start_in_chat(bot: Bot) -> None:
    await bot.staff.send("/followup")
    await bot.staff.press("Start the follow-up")
    await bot.staff.press("In 30 days")
    started = await bot.staff.press("Start")
    assert "3 organisations asked" in started[-1].text
    await bot.deliver()


async def answer_of(bot: Bot, contact: int) -> FollowUpAnswer:
    found = await bot.scalar(select(FollowUpAnswer).where(FollowUpAnswer.user_id == contact))
    assert found is not None
    return found


async def reminders_to(bot: Bot, contact: int) -> int:
    return await bot.scalar(
        select(func.count()).where(Outbox.recipient == contact, Outbox.kind == rounds.REMINDER)
    )


async def test_a_round_in_three_languages_with_an_inactive_a_silent_and_a_resumed_organisation(
    database_url: str, tmp_path: Path
) -> None:
    clock = Clock()
    async with started(database_url, tmp_path, clock=clock) as bot:
        members = await register_contacts(bot, ORGS)
        await start_in_chat(bot)
        sv, ar, fi = bot.person(SV, "sv"), bot.person(AR, "ar"), bot.person(FI, "fi")
        assert "Årlig uppföljning av överenskommelsen" in bot.api.bot_messages(SV)[-1].text
        invitation = bot.api.bot_messages(AR)[-1]
        assert invitation.text.startswith("\u200f"), "right to left"
        assert "المتابعة السنوية للاتفاقية" in invitation.text
        assert "Arabiska kulturföreningen" in invitation.text
        assert "vuosittainen seuranta" in bot.api.bot_messages(FI)[-1].text

        # Swedish: every question, then "no longer active".
        first = await sv.press("Börja")
        assert "fråga 1 av 9" in first[-1].text
        assert "Långsiktighet" in first[-1].text
        for _ in range(PRINCIPLES):
            await sv.press("4")
        change = bot.api.bot_messages(SV)[-1]
        assert "Vad borde ändras?" in change.text
        await sv.send("Fler   möten\u200b på kvällstid.")
        assert "ska den stå kvar i registret" in bot.api.bot_messages(SV)[-1].text
        summary = await sv.press("Inte längre aktiv")
        assert "Tack!" in summary[-1].text
        assert "Fler möten på kvällstid." in summary[-1].text
        done = await answer_of(bot, SV)
        assert done.submitted_at is not None
        assert done.still_active is False
        assert done.change == "Fler möten på kvällstid."
        assert done.language == "sv"
        member = await bot.scalar(select(Member).where(Member.id == members[SV]))
        assert member.inactive_reported_at is not None

        # Finnish: two principles, then the bot stops.
        await fi.press("Aloita")
        await fi.press("3")
        await fi.press("2")
        first_question = next(m for m in bot.api.bot_messages(FI) if "kysymys 1/9" in m.text)

    async with started(database_url, tmp_path, api=bot.api, clock=clock) as bot:
        sv, ar, fi = bot.person(SV, "sv"), bot.person(AR, "ar"), bot.person(FI, "fi")
        clock.offset += timedelta(days=7, minutes=1)
        await bot.deliver()
        assert await reminders_to(bot, AR) == 1
        assert await reminders_to(bot, FI) == 1
        assert await reminders_to(bot, SV) == 0, "sent: no reminder"
        assert "Muistutus" in bot.api.bot_messages(FI)[-1].text
        assert "تذكير" in bot.api.bot_messages(AR)[-1].text

        resumed = await fi.press("Jatka")
        assert "kysymys 3/9" in resumed[-1].text, "picks up at the first step not answered"
        changed = await fi.press("5", first_question)  # an old button: changes that answer
        assert "Muutettu: 5." in fi.answers[-1]
        assert all(
            "kysymys" not in m.text or m.message_id == first_question.message_id for m in changed
        ), "no new question for a changed answer"
        for _ in range(PRINCIPLES - 2):
            await fi.press("4", bot.api.bot_messages(FI)[-1])
        await fi.press("Ohita")
        await fi.press("Kyllä, pysymme mukana")
        finished = await answer_of(bot, FI)
        assert finished.submitted_at is not None
        assert finished.still_active is True
        assert list(finished.scores.values()) == [5, 2, 4, 4, 4, 4, 4]
        assert finished.change is None

        clock.offset += timedelta(days=7)
        await bot.deliver()
        assert await reminders_to(bot, AR) == 2
        assert await reminders_to(bot, FI) == 1
        clock.offset += timedelta(days=7)
        await bot.deliver()
        assert await reminders_to(bot, AR) == 2, "two reminders at most"

        clock.offset += timedelta(days=10)  # past the deadline
        await bot.deliver()
        followup = await bot.scalar(select(FollowUp))
        assert followup.closed_at is not None
        await ar.press("متابعة")
        assert "انتهت متابعة" in ar.answers[-1]
        assert (await answer_of(bot, AR)).scores == {}

        # Staff: the status, the removal, and the report.
        status = await bot.staff.send("/followup")
        assert "Answered: 2" in status[-1].text
        assert "Not started: 1" in status[-1].text
        await bot.staff.press("To remove from the register (1)")
        await bot.staff.press("Remove")
        member = await bot.scalar(select(Member).where(Member.id == members[SV]))
        assert member.left_on == clock().astimezone(ZONE).date()
        audit = await bot.scalar(select(AuditEntry).where(AuditEntry.action == "member_left"))
        assert audit.subject == f"member:{members[SV]}"
        listing = await bot.person(600, "sv").send("/members")
        assert "Föreningen Ängsö" not in listing[-1].text
        assert "Suomi-seura" in listing[-1].text

        await bot.staff.send("/followup")
        sent = await bot.staff.press("Report")
        documents = {m.document[0]: m.document[1] for m in sent if m.document}
        year = followup.year
        image = Image.open(io.BytesIO(documents[f"followup-{year}.png"]))
        assert image.format == "PNG"
        assert image.size == (1200, 700)
        summary_rows = read_csv(documents[f"followup-{year}-summary.csv"])
        long_term = summary_rows[0]
        assert long_term["principle_id"] == "principle/long-term"
        assert (long_term["answers"], long_term["mean"]) == ("2", "4,50")
        assert (long_term["4"], long_term["5"], long_term["dont_know"]) == ("1", "1", "0")
        assert summary_rows[1]["mean"] == "3,00", "4 and 2"
        answers = read_csv(documents[f"followup-{year}.csv"])
        assert [row["organisation"] for row in answers] == ["Föreningen Ängsö", "Suomi-seura"]
        assert answers[0]["what_should_change"] == "Fler möten på kvällstid."
        assert (answers[0]["still_active"], answers[1]["still_active"]) == ("no", "yes")
        assert "501" not in documents[f"followup-{year}.csv"].decode(), "nobody's id"
        figures = {
            r["figure"]: r["value"] for r in read_csv(documents[f"followup-{year}-figures.csv"])
        }
        assert (figures["followup_asked"], figures["followup_submitted"]) == ("3", "2")
        assert figures["followup_no_longer_active"] == "1"
        assert figures["joined_by_application"] == "3"
        assert any("Organisations that answered the follow-up: 2 of 3" in m.text for m in sent)


async def test_old_forged_and_foreign_presses_change_nothing_and_say_so(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        await register_contacts(bot, {SV: ORGS[SV]})
        await bot.staff.send("/followup")
        await bot.staff.press("Start the follow-up")
        await bot.staff.send("31.12")
        assert "YYYY-MM-DD" in bot.api.bot_messages(bot.staff.chat_id)[-1].text
        await bot.staff.send("2001-01-01")
        assert "passed" in bot.api.bot_messages(bot.staff.chat_id)[-1].text
        deadline = (bot.clock() + timedelta(days=10)).astimezone(ZONE).date()
        await bot.staff.send(deadline.isoformat())
        await bot.staff.press("Start")
        await bot.deliver()
        answer = await answer_of(bot, SV)
        stranger = bot.person(777, "en")
        await stranger.press_data(
            AnswerButton(answer.id, AnswerAction.OPEN).pack(), bot.api.bot_messages(SV)[-1]
        )
        assert "no longer works" in stranger.answers[-1]
        refused = await stranger.send("/followup")
        assert "for municipal staff" in refused[-1].text

        sv = bot.person(SV, "sv")
        await sv.press("Börja")
        await sv.press_data(ScoreButton(answer.id, "principle/nope", Score.ONE).pack())
        await sv.press_data(forged(ScoreButton, str(answer.id), "principle/long-term", "9"))
        await sv.press_data(AnswerButton(answer.id, AnswerAction.INACTIVE).pack())
        assert "redan besvarad" in sv.answers[-1], "not asked yet: nothing changes"
        assert (await answer_of(bot, SV)).scores == {}
        assert (await answer_of(bot, SV)).still_active is None

        for _ in range(PRINCIPLES):
            await sv.press("Vet inte")
        first = next(m for m in bot.api.bot_messages(SV) if "fråga 1 av 9" in m.text)
        again = await sv.press("✓ Vet inte", first)
        assert again == [], "pressed twice: nothing changes"
        too_long = await sv.send("x" * 1001)
        assert "1000 tecken" in too_long[-1].text
        empty = await sv.send("\u200b\u200e")
        assert "några ord" in empty[-1].text
        kept = await answer_of(bot, SV)
        assert kept.change is None
        assert kept.step == "change"
        assert set(kept.scores.values()) == {0}, "don't know is 0"
        await sv.send("Bättre information")
        await sv.press("Ja, vi står kvar")
        await sv.press_data(ScoreButton(answer.id, "principle/long-term", Score.FIVE).pack())
        assert "kan inte längre ändras" in sv.answers[-1]
        assert (await answer_of(bot, SV)).scores["principle/long-term"] == 0
        question = await sv.send("Vad är överenskommelsen?")
        assert not any("Sparat" in m.text for m in question), "sent: text is a question again"


async def test_starting_again_asks_only_those_connected_since(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        await register_contacts(bot, {SV: ORGS[SV], AR: ORGS[AR]})
        await bot.staff.send("/followup")
        await bot.staff.press("Start the follow-up")
        await bot.staff.press("In 30 days")
        await bot.staff.press("Start")
        async with bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
            again = await rounds.start(
                session,
                year=bot.clock().astimezone(ZONE).year,
                deadline=None,
                pack="sodertalje",
                now=bot.clock(),
                zone=ZONE,
                started_by=None,
                default_language="sv",
            )
        assert again.asked == 0
        assert not again.new
        await register_contacts(bot, {FI: ORGS[FI]})
        status = await bot.staff.send("/followup")
        assert "Organisations asked: 2" in status[-1].text
        await bot.staff.press("Ask the 1 organisation connected since the start")
        await bot.deliver()
        invitations = await bot.scalars(
            select(Outbox.recipient).where(Outbox.kind == rounds.INVITATION)
        )
        assert sorted(invitations) == [SV, AR, FI], "each asked once"


async def test_mydata_shows_the_answers_and_deletemydata_keeps_only_the_scores(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        await register_contacts(bot, {SV: ORGS[SV]})
        await start_in_chat_one(bot)
        sv = bot.person(SV, "sv")
        await sv.press("Börja")
        for _ in range(PRINCIPLES):
            await sv.press("5")
        await sv.send("Mer pengar till <b>oss</b>")
        shown = await sv.send("/mydata")
        assert "Mer pengar till &lt;b&gt;oss&lt;/b&gt;" in shown[-1].html, "escaped"
        assert "uppföljningen" in shown[-1].text

        await sv.send("/deletemydata")
        await sv.press("Ja, radera")
        erased = await bot.scalar(select(FollowUpAnswer))
        assert erased.user_id is None
        assert erased.change is None
        assert erased.scores["principle/long-term"] == 5, "kept in the counts"


async def start_in_chat_one(bot: Bot) -> None:
    await bot.staff.send("/followup")
    await bot.staff.press("Start the follow-up")
    await bot.staff.press("In 30 days")
    await bot.staff.press("Start")
    await bot.deliver()
