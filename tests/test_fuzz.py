"""Generated hostile text at every text step of every flow, through the real Application,
on both databases: nothing crashes, every answer is one Telegram accepts (valid HTML within
its limits: the local Bot API refuses anything else, and a refusal is logged as an error),
and what another person reads holds the text as typed, cleaned and escaped.

Each example is one text at one step. `FUZZ_EXAMPLES` sets how many each database gets
(default 60, with the findings of the last hostile review always among them; a longer run:
`FUZZ_EXAMPLES=2000 pytest tests/test_fuzz.py`)."""

from __future__ import annotations

import asyncio
import logging
import os
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.applications import Field
from bot.conversations import Flow
from bot.followup import rounds
from bot.followup.questionnaire import CHANGE
from bot.forums.staff_flow import FLOWS, Step
from bot.local_api import LocalUser, Message
from bot.text import clean_paragraphs
from storage import applications, conversations, users
from storage.models import Application, FollowUpAnswer
from tests.conftest import ADMIN_ID
from tests.forum_helpers import ZONE, Bot, started
from tests.test_apply import SWEDISH_ANSWERS, fill

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
STAFF_CHAT = -100999
NASTY = [
    "\x00", "\u202egnp.exe", "\u200b", "a\u0301\u0302\u0303" * 50, "<b>bold</b> & <i>", "</a>",
    "[link](https://x.se)", "=HYPERLINK(\"x\")", "+46", "@admin", "*_~`", "٣٤", "²",
    "🏳️‍🌈👨‍👩‍👧", "\n\n\n", " ", "x" * 5000, "ܫܠܡܐ", "مرحبا <script>", "\ud800",
]  # fmt: skip
hostile = st.one_of(
    st.sampled_from(NASTY),
    st.text(min_size=1, max_size=300),
    st.lists(st.sampled_from(NASTY), min_size=2, max_size=6).map("".join),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Mn", "So", "Zs"]), max_size=80),
)

FORM_TEXT_STEPS = [
    Field.ORG_NAME, Field.ORG_NUMBER, Field.NO_NUMBER_REASON, Field.DESCRIPTION,
    Field.CONTACT_NAME, Field.CONTACT_ROLE, Field.EMAIL, Field.PHONE, Field.WEBSITE,
    Field.LANGUAGES,
]  # fmt: skip
GOOD = {  # answers before a step, so that each step is reached as in a real flow
    Step.TITLE: "Dialogforum", Step.DESCRIPTION: "Om lokaler.", Step.START: "2027-05-10 18:00",
    Step.END: "20:00", Step.PLACE: "Stadshuset", Step.LINK: None, Step.FOCUS: None,
    Step.CAPACITY: None,
}  # fmt: skip


PROBES = [
    "question",
    *(f"form:{field.value}" for field in FORM_TEXT_STEPS),
    *(f"forum:{step.value}" for step in FLOWS[Flow.NEW_FORUM]),
    "newsletter",
    f"review:{Flow.QUESTION.value}",
    f"review:{Flow.REJECT_REASON.value}",
    f"review:{Flow.ANSWER.value}",
    "relay",
    "followup:change",
    "followup:deadline",
]


class Stage:
    """One bot, and what the probes need: a submitted application, a handed-over question."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.next_id = 60_000
        self.application_id = 0
        self.forwarded: Message | None = None

    def person(self, language: str = "sv") -> LocalUser:
        self.next_id += 1
        return self.bot.person(self.next_id, language)

    async def prepare(self) -> None:
        self.bot.api.open_chat(STAFF_CHAT, "supergroup", "Kommunen")
        await self.bot.staff.send("/start")
        applicant = self.person()
        await fill(applicant, SWEDISH_ANSWERS)
        await applicant.press("Skicka ansökan")
        submitted = await self.bot.scalar(
            select(Application.id).where(Application.applicant_id == applicant.id)
        )
        assert submitted is not None
        self.application_id = submitted
        asker = self.person("en")
        not_sure = (await asker.send("Where can I park my bicycle at the swimming hall?"))[-1]
        await asker.press("✅", (await asker.press("Ask the municipality", not_sure))[-1])
        self.forwarded = self.bot.api.bot_messages(STAFF_CHAT)[-1]
        self.asker = asker
        self.contact = self.person()
        async with self.bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
            member = await applications.add_member(
                session, name="Förening", org_number=None, area=None, public=True,
                joined_on=self.bot.clock().date(), joined_via="forum",
            )  # fmt: skip
            member.contact_id = self.contact.id
            await users.ensure(session, self.contact.id, "sv")
            await rounds.start(
                session, year=self.bot.clock().year, deadline=None, pack="sodertalje",
                now=self.bot.clock(), zone=ZONE, started_by=None, default_language="sv",
            )  # fmt: skip

    async def into(self, user_id: int, flow: Flow, **values: object) -> None:
        async with self.bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
            await conversations.begin(session, user_id, flow, self.bot.clock(), **values)

    async def probe(self, where: str, text: str) -> None:
        """The text at one step (state set up directly, as a fresh person where it can)."""
        kind, _, name = where.partition(":")
        if kind == "question":
            await self.person().send(text)
        elif kind == "form":
            applicant = self.person()
            await applicant.send("/apply")
            async with self.bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
                draft = await applications.current_draft(session, applicant.id)
                assert draft is not None
                draft.step = name
            await applicant.send(text)
        elif kind == "forum":
            steps = FLOWS[Flow.NEW_FORUM]
            before = steps[: steps.index(Step(name))]
            answered = {s.value: GOOD.get(s) for s in before}
            await self.into(ADMIN_ID, Flow.NEW_FORUM, step=name, data=answered)
            await self.bot.staff.send(text)
        elif kind == "newsletter":
            await self.into(ADMIN_ID, Flow.NEWSLETTER, data={"language": "sv"})
            await self.bot.staff.send(text)
        elif kind == "review":
            await self.into(ADMIN_ID, Flow(name), subject_id=self.application_id)
            await self.bot.staff.send(text)
        elif where == "followup:change":
            async with self.bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
                answer = await session.scalar(select(FollowUpAnswer))
                assert answer is not None
                answer.step, answer.change = CHANGE, None
            await self.into(self.contact.id, Flow.FOLLOWUP, subject_id=answer.id)
            await self.contact.send(text)
        elif kind == "followup":
            await self.into(ADMIN_ID, Flow.FOLLOWUP_DEADLINE, subject_id=self.bot.clock().year)
            await self.bot.staff.send(text)
        else:
            await self.relayed(text)

    async def relayed(self, text: str) -> None:
        """A staff reply to a handed-over question reaches the asker as typed, escaped."""
        before = len(self.bot.api.bot_messages(self.asker.chat_id))
        staff = LocalUser(
            self.bot.api, self.bot.app, ADMIN_ID, language_code="sv", chat_id=STAFF_CHAT,
            chat_type="supergroup",
        )  # fmt: skip
        await staff.send(text, reply_to=self.forwarded)
        shown = " ".join(m.text for m in self.bot.api.bot_messages(self.asker.chat_id)[before:])
        cleaned = " ".join(clean_paragraphs(text).split())
        if cleaned:
            assert cleaned[:40] in " ".join(shown.split()), "the answer, as typed and escaped"


def test_hostile_text_at_every_step_crashes_nothing(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with asyncio.Runner() as runner:
        stack = AsyncExitStack()
        bot = runner.run(stack.enter_async_context(
            started(database_url, tmp_path, contact_chat_id=STAFF_CHAT)
        ))  # fmt: skip
        stage = Stage(bot)
        runner.run(stage.prepare())

        @settings(
            max_examples=EXAMPLES, deadline=None, database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )  # fmt: skip
        @given(where=st.sampled_from(PROBES), text=hostile)
        @example(where="form:website", text="[Vår sida](https://angsbacken.se)")
        @example(where="forum:title", text="Dialog\x00forum \u202egnp.exe")
        @example(where="forum:capacity", text="²")
        @example(where="review:reject_reason", text="\u200b \u2060")
        @example(where="relay", text="<b>svar</b> & " + "lång text " * 400)
        @example(where="question", text="x" * 5000)
        @example(where="followup:change", text="<b>Mer</b> & \u202e" + "x" * 1000)
        @example(where="followup:deadline", text="2026-02-30")
        def probe(where: str, text: str) -> None:
            caplog.clear()
            with caplog.at_level(logging.ERROR):
                runner.run(stage.probe(where, text))
            errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
            assert errors == [], f"{where} {text!r}: {errors}"
            sorry = [m for m in bot.api.events if m.message and "went wrong" in m.message.text]
            assert sorry == [], repr(text)

        try:
            probe()
        finally:
            runner.run(stack.aclose())
