"""What trying to break it found, each kept from coming back: pasted links, odd digits,
invisible and control characters, direction overrides."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.applications import Problem, check_website
from bot.conversations import Flow
from bot.forums import lifecycle, staff_flow
from bot.forums.notices import Staff
from bot.forums.rules import Problem as ForumProblem
from bot.forums.staff_flow import Step
from handlers.forum_admin import FlowButton, FlowChoice
from storage.models import Conversation, Forum, Question
from tests.forum_domain import NOW, ZONE
from tests.forum_helpers import started


@pytest.mark.parametrize(
    "pasted", ["[Vår sida](https://angsbacken.se)", "https://[angsbacken.se", "http://[::1"]
)
def test_a_website_with_brackets_is_refused_not_a_crash(pasted: str) -> None:
    assert check_website(pasted).problem is Problem.WEBSITE


@pytest.mark.parametrize("places", ["²", "٣", "2147483648", "1" * 40, "-5", "4 0"])
def test_places_that_are_not_a_plain_number_are_refused(places: str) -> None:
    result = staff_flow.answer(Flow.NEW_FORUM, {}, Step.CAPACITY, places, zone=ZONE, now=NOW)
    assert (result.step, result.problem) == (Step.CAPACITY, ForumProblem.CAPACITY)


def test_a_forum_title_loses_direction_overrides_and_invisible_characters() -> None:
    typed = "\u202eDialog\u200bforum\x00 om\u2066 lokaler"
    result = staff_flow.answer(Flow.NEW_FORUM, {}, Step.TITLE, typed, zone=ZONE, now=NOW)
    assert result.data[Step.TITLE] == "Dialogforum om lokaler"


def test_a_title_made_only_of_invisible_characters_is_required_again() -> None:
    result = staff_flow.answer(
        Flow.NEW_FORUM, {}, Step.TITLE, "\u200b\u202e \u2060", zone=ZONE, now=NOW
    )
    assert (result.step, result.problem) == (Step.TITLE, ForumProblem.REQUIRED)


async def test_nul_and_overrides_typed_by_staff_are_cleaned_on_both_databases(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        staff = bot.staff
        await staff.send("/newforum")
        replies = await staff.send("Dialog\x00forum\u202e om\u200b lokaler")
        writing = await bot.scalar(select(Conversation))

        assert "description" in replies[-1].text.lower(), "the next question, no error"
        assert writing.data[Step.TITLE] == "Dialogforum om lokaler"
        assert not any("went wrong" in m.text for m in bot.api.bot_messages(staff.chat_id))


async def test_a_cancelled_forum_gives_no_calendar_file(database_url: str, tmp_path: Path) -> None:
    async with started(database_url, tmp_path) as bot:
        member = await bot.subscriber(5200, "en")
        forum_id = await bot.announced()
        invitation = next(m for m in bot.api.bot_messages(member.chat_id) if "invited" in m.text)
        async with bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
            forum = await session.get(Forum, forum_id)
            assert forum is not None
            await lifecycle.cancel(session, forum, NOW, Staff(None, "sv"))
        before = len(bot.api.bot_messages(member.chat_id))

        await member.press("Add to calendar", invitation)

        assert member.answers[-1] == "This forum has been cancelled."
        assert len(bot.api.bot_messages(member.chat_id)) == before, "no .ics"


async def test_a_question_of_invisible_characters_is_not_kept_and_nul_is_cleaned(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        person = bot.person(5300, "en")
        replies = await person.send("\u200b\u202e\u2060")
        await person.send("How can\x00 our association join?")
        kept = await bot.scalars(select(Question.text))

    assert "Write your question" in replies[-1].text
    assert kept == ["How can our association join?"]


async def test_a_flow_button_pressed_again_on_a_message_without_it_is_no_error(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with started(database_url, tmp_path) as bot:
        staff = bot.staff
        for answer in ("/newforum", "Dialogforum", "Om lokaler.", "2027-05-10 18:00"):
            await staff.send(answer)
        place = (await staff.send("20:00"))[-1]  # where? (optional: Skip)
        await staff.press("Skip", place)  # its buttons go; the link is asked
        with caplog.at_level(logging.ERROR):  # an old Skip, as a double tap or a forgery
            again = await staff.press_data(FlowButton(FlowChoice.SKIP).pack(), place)

        assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
        assert not any("went wrong" in m.text for m in again)
        assert "needs a place or an online link" in again[-1].text, "a skip of the link asked"
