"""What staff and members read about forums and newsletters, in every language: each
problem has its own text (no default that says something else), each flow step its
question, each answer its reply; and every outbox kind is declared once, with a renderer."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.config import DEFAULT_DEADLINES, SUPPORTED_LANGUAGES
from bot.delivery import REPORT
from bot.followup import rounds as followup_rounds
from bot.forums import feedback, minutes, needs
from bot.forums.notices import ForumNotice
from bot.forums.rsvp import Outcome
from bot.forums.rules import Problem
from bot.forums.staff_flow import FLOWS
from bot.i18n import I18n, Translator
from bot.newsletters import KIND as NEWSLETTER
from bot.newsletters import NewsletterProblem
from handlers import newsletter
from handlers.application_notices import APPLICATION, REVIEW_CARD
from handlers.forum_admin_texts import PROBLEMS, problem_text, prompt
from handlers.forum_notices import HEADINGS
from handlers.forums import ANSWERED
from handlers.notices import KINDS
from handlers.turn import REPLY


@pytest.fixture(scope="module", params=SUPPORTED_LANGUAGES)
def t(request: pytest.FixtureRequest) -> Translator:
    return I18n("sv", ZoneInfo("Europe/Stockholm")).translator(request.param)


@pytest.fixture(scope="module")
def english() -> Translator:
    return I18n("sv", ZoneInfo("Europe/Stockholm")).translator("en")


def test_every_forum_problem_has_its_own_translated_text(
    t: Translator, english: Translator
) -> None:
    texts = {problem: problem_text(t, problem) for problem in Problem}
    assert set(PROBLEMS) == set(Problem)
    assert len(set(texts.values())) == len(Problem), "two problems share a text"
    for problem, text in texts.items():
        assert text, problem
        assert "{" not in text, f"{problem}: a placeholder left unfilled"
        if t.language != "en":
            assert text != problem_text(english, problem), f"{problem}: not translated"


def test_every_newsletter_problem_has_its_own_translated_text(
    t: Translator, english: Translator
) -> None:
    texts = {problem: newsletter.problem_text(t, problem) for problem in NewsletterProblem}
    assert len(set(texts.values())) == len(NewsletterProblem)
    for problem, text in texts.items():
        if t.language != "en":
            assert text != newsletter.problem_text(english, problem), f"{problem}: not translated"


def test_every_step_of_every_flow_has_its_question(t: Translator) -> None:
    for flow, steps in FLOWS.items():
        questions = [prompt(t, flow, step, {"language": "en"}) for step in steps]
        assert all(questions), flow
        assert "{" not in "".join(questions)
        assert len(set(questions)) == len(steps), f"{flow}: two steps ask the same"


def test_every_outcome_of_an_answer_has_its_reply() -> None:
    assert set(ANSWERED) == set(Outcome) - {Outcome.MISSING}, "a missing forum is stale"
    assert set(HEADINGS) == set(ForumNotice) - {ForumNotice.CANCELLED}


def test_every_outbox_kind_is_declared_once_with_its_deadline() -> None:
    after = [needs.KIND, feedback.KIND, minutes.KIND]  # a forum's summary, question, minutes
    names = [
        *ForumNotice,
        *after,
        NEWSLETTER,
        APPLICATION,
        REVIEW_CARD,
        REPLY,
        REPORT,
        followup_rounds.INVITATION,
        followup_rounds.REMINDER,
    ]
    assert sorted(KINDS) == sorted(names)
    assert set(DEFAULT_DEADLINES) == set(KINDS), "each kind can wait out an outage so long"
    assert {name for name, kind in KINDS.items() if kind.subscription} == {
        ForumNotice.ANNOUNCEMENT,
        NEWSLETTER,
    }, "reminders and notices reach those who answered, subscribed or not"
