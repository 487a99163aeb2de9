"""Many people at once: updates of different chats are handled concurrently, those of one
chat in order; a race for the last places ends with exactly the places taken; a very long
message costs no more than what is kept of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import build_knowledge
from bot.config import Settings
from bot.knowledge import Knowledge
from storage.models import MAX_QUESTION, Application, Rsvp
from tests.forum_helpers import started
from tests.test_apply import SWEDISH_ANSWERS


async def test_a_form_answered_in_quick_succession_keeps_its_order(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        applicant = bot.person(4000, "sv")
        applicant.queue("/apply")
        texts = [value for kind, value in SWEDISH_ANSWERS[:2]]  # name, organisation number
        for text in texts:
            applicant.queue(text)
        others = [bot.person(4001 + n, "sv") for n in range(5)]
        for other in others:  # other chats at the same time
            other.queue("/start")
        await bot.app.update_queue.join()

        draft = await bot.scalar(select(Application).where(Application.applicant_id == 4000))
        assert draft.org_name == "Föreningen Ängsbacken"
        assert draft.org_number == "8024561238"
        assert draft.step == "org_form", "the third question is being asked"
        prompts = [m.text for m in bot.api.bot_messages(applicant.chat_id)]
        assert "organisationsnummer" in prompts[-2].lower(), "asked after the name"
        for other in others:
            assert bot.api.bot_messages(other.chat_id), "everyone else was answered too"


async def test_thirty_people_racing_for_ten_places_leave_ten_coming(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        people = [await bot.subscriber(4100 + n, "en") for n in range(30)]
        forum_id = await bot.announced(capacity=10)
        for person in people:
            invitation = next(
                m for m in bot.api.bot_messages(person.chat_id) if "invited" in m.text
            )
            going = next(b for b in invitation.buttons if "I'll come" in b["text"])
            person.queue_press(going["callback_data"], invitation)
        await bot.app.update_queue.join()

        async def count(status: str) -> int:
            query = select(func.count()).where(Rsvp.forum_id == forum_id, Rsvp.status == status)
            return int(await bot.scalar(query))

        assert (await count("going"), await count("waitlist")) == (10, 20)
        popups = [event.text for event in bot.api.events if event.kind == "answered"][-30:]
        assert sorted(set(popups)) == ["See you there!", "The forum is full."]


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return build_knowledge(Settings(_env_file=None))  # type: ignore[call-arg]


async def test_only_what_is_kept_of_a_very_long_question_is_searched(
    knowledge: Knowledge,
) -> None:
    joining = "Hur kan vår förening gå med i överenskommelsen? "
    question = (joining * 40)[:MAX_QUESTION] + "Vad är idéburet offentligt partnerskap? " * 5000

    long_one = knowledge.ask("sodertalje", "sv", question)

    assert long_one == knowledge.ask("sodertalje", "sv", question[:MAX_QUESTION])
    assert long_one.best is not None
    assert long_one.best.entry.id == "joining"
