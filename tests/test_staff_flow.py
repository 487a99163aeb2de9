"""The staff's guided flows without Telegram: how each answer is read, which problem it
has, what is asked next, and what a finished flow makes (a forum, a translation, a new
time)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.conversations import Flow
from bot.forums import staff_flow
from bot.forums.notices import Staff
from bot.forums.reminders import Schedule
from bot.forums.rules import MAX_DESCRIPTION, MAX_TITLE, Problem, check
from bot.forums.staff_flow import FLOWS, STEPS, FlowResult, Step, parse_local
from storage import conversations
from storage.models import Conversation, Forum
from tests.forum_domain import NOW, ZONE, database, people, published

DAY = "2027-03-18"
START = datetime(2027, 3, 18, 18, tzinfo=ZONE)
GOOD = {
    Step.TITLE: "Dialogforum om lokaler",
    Step.DESCRIPTION: "Hur delar vi på lokalerna?",
    Step.START: f"{DAY} 18:00",
    Step.END: "20:30",
    Step.PLACE: "Stadshuset",
    Step.LINK: "https://example.se/forum",
    Step.FOCUS: "Lokaler",
    Step.CAPACITY: "40",
    Step.DEADLINE: "2027-03-11 23:59",
}


def answer(step: Step, text: str | None, flow: Flow = Flow.NEW_FORUM, **data: Any) -> FlowResult:
    return staff_flow.answer(flow, data, step, text, zone=ZONE, now=NOW)


def test_local_times_are_read_in_the_municipalitys_zone() -> None:
    assert parse_local("2027-03-18 18:00", ZONE) == START
    assert parse_local(" 2027-03-18T18.00 ", ZONE) == START
    assert parse_local("18:00", ZONE, day=START.date()) == START
    assert parse_local("18:00", ZONE) is None, "a time alone needs a day"
    assert parse_local("2027-02-30 18:00", ZONE) is None
    assert parse_local("2027-03-18 25:00", ZONE) is None
    assert parse_local("next thursday", ZONE) is None


def test_good_answers_walk_the_forum_flow_in_order_and_make_valid_fields() -> None:
    data: dict[str, Any] = {}
    asked = []
    step: Step | None = FLOWS[Flow.NEW_FORUM][0]
    while step is not None:
        asked.append(step)
        result = staff_flow.answer(Flow.NEW_FORUM, data, step, GOOD[step], zone=ZONE, now=NOW)
        assert result.problem is None, (step, result.problem)
        data, step = result.data, result.step

    assert asked == list(Step)
    forum = check(staff_flow.forum_fields(data))
    assert (forum.starts_at, forum.ends_at) == (START, START + timedelta(hours=2, minutes=30))
    assert forum.capacity == 40
    assert forum.deadline == datetime(2027, 3, 11, 23, 59, tzinfo=ZONE)


@pytest.mark.parametrize(
    ("step", "text", "problem"),
    [
        (Step.TITLE, "   ", Problem.REQUIRED),
        (Step.TITLE, None, Problem.REQUIRED),
        (Step.TITLE, "x" * (MAX_TITLE + 1), Problem.TITLE_LONG),
        (Step.DESCRIPTION, "x" * (MAX_DESCRIPTION + 1), Problem.DESCRIPTION_LONG),
        (Step.PLACE, "x" * 301, Problem.TOO_LONG),
        (Step.START, "next thursday", Problem.DATETIME),
        (Step.START, "2027-02-28 18:00", Problem.IN_THE_PAST),
        (Step.END, "17:00", Problem.END_BEFORE_START),
        (Step.END, "18:00", Problem.END_BEFORE_START),
        (Step.LINK, "www.example.se", Problem.LINK),
        (Step.CAPACITY, "0", Problem.CAPACITY),
        (Step.CAPACITY, "forty", Problem.CAPACITY),
        (Step.CAPACITY, "²", Problem.CAPACITY),
        (Step.CAPACITY, "99999999999", Problem.CAPACITY),
        (Step.DEADLINE, "2027-03-19 12:00", Problem.DEADLINE),
        (Step.DEADLINE, "2027-02-01 12:00", Problem.DEADLINE),
    ],
)
def test_a_wrong_answer_names_its_problem_and_the_step_is_asked_again(
    step: Step, text: str | None, problem: Problem
) -> None:
    before = {"start": START.isoformat(), "place": "Stadshuset"}
    result = answer(step, text, **before)
    assert (result.step, result.problem) == (step, problem)
    assert result.data == before, "nothing of a wrong answer is kept"


def test_optional_questions_can_be_skipped_but_a_place_or_a_link_is_needed() -> None:
    no_place = answer(Step.PLACE, None)
    assert (no_place.step, no_place.problem) == (Step.LINK, None)
    neither = answer(Step.LINK, None, **no_place.data)
    assert (neither.step, neither.problem) == (Step.PLACE, Problem.NO_PLACE), "asked again"
    link_only = answer(Step.LINK, "https://example.se/forum", **no_place.data)
    assert (link_only.step, link_only.problem) == (Step.FOCUS, None)
    last = answer(Step.DEADLINE, None, start=START.isoformat())
    assert (last.step, last.problem, last.data["deadline"]) == (None, None, None)
    assert {step for step, rule in STEPS.items() if rule.optional} == {
        Step.PLACE, Step.LINK, Step.FOCUS, Step.CAPACITY, Step.DEADLINE,
    }  # fmt: skip


def test_the_other_flows_ask_only_their_own_steps() -> None:
    start = answer(Step.START, f"{DAY} 17:00", Flow.MOVE_FORUM)
    end = answer(Step.END, "19:00", Flow.MOVE_FORUM, **start.data)
    assert (start.step, end.step, end.problem) == (Step.END, None, None)
    title = answer(Step.TITLE, "Dialogue forum", Flow.TRANSLATE_FORUM, language="en")
    skipped = answer(Step.DESCRIPTION, None, Flow.TRANSLATE_FORUM, **title.data)
    assert (title.step, skipped.problem) == (Step.DESCRIPTION, Problem.REQUIRED)
    assert title.data == {"language": "en", "title": "Dialogue forum"}


async def take_all(db: Any, user_id: int, answers: list[str | None]) -> staff_flow.Taken:
    """Each answer in its own transaction, as each message is its own turn."""
    taken = None
    for text in answers:
        async with db.transaction() as session:
            draft = await conversations.current(session, user_id)
            assert draft is not None
            taken = await staff_flow.take(
                session, draft, text, zone=ZONE, now=NOW, schedule=Schedule(), staff=Staff()
            )
    assert taken is not None
    return taken


async def test_a_finished_forum_flow_makes_a_draft_and_forgets_the_answers(
    database_url: str,
) -> None:
    async with database(database_url) as db:
        async with db.transaction() as session:
            first = await staff_flow.begin(session, 900, Flow.NEW_FORUM, NOW)
        answers = [GOOD[step] for step in Step]
        halfway = await take_all(db, 900, answers[:3])
        taken = await take_all(db, 900, answers[3:])
        async with db.transaction() as session:
            drafts = await session.scalar(select(func.count()).select_from(Conversation))
            forum = await session.scalar(select(Forum))

    assert first is Step.TITLE
    assert (halfway.step, halfway.forum) == (Step.END, None)
    assert taken.forum is not None
    assert taken.broadcast is None
    assert forum is not None
    assert (forum.titles, forum.status, forum.capacity) == (
        {"sv": GOOD[Step.TITLE]},
        "draft",
        40,
    )
    assert drafts == 0


async def test_a_translation_and_a_new_time_change_the_forum(database_url: str) -> None:
    async with database(database_url) as db:
        await people(db, 1)
        forum_id = await published(db)
        async with db.transaction() as session:
            await staff_flow.begin(
                session, 900, Flow.TRANSLATE_FORUM, NOW, forum_id=forum_id, language="en"
            )
        translated = await take_all(db, 900, ["Dialogue forum", "On the premises."])
        async with db.transaction() as session:
            await staff_flow.begin(session, 900, Flow.MOVE_FORUM, NOW, forum_id=forum_id)
        moved = await take_all(db, 900, [f"{DAY} 17:00", "19:00"])

    assert translated.forum is not None
    assert translated.forum.titles == {"sv": "Dialogforum om lokaler", "en": "Dialogue forum"}
    assert moved.forum is not None
    assert moved.forum.starts_at == START - timedelta(hours=1)
    assert moved.broadcast is not None
    assert moved.broadcast.total == 1, "the one invited hears of the new time"


async def test_a_flow_about_a_forum_that_is_gone_says_so(database_url: str) -> None:
    async with database(database_url) as db:
        async with db.transaction() as session:
            await staff_flow.begin(session, 900, Flow.MOVE_FORUM, NOW, forum_id=999)
        taken = await take_all(db, 900, [f"{DAY} 17:00", "19:00"])

    assert (taken.step, taken.problem, taken.forum) == (None, Problem.MISSING, None)
