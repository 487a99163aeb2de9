"""The written application: the guided form, validation, drafts that survive restarts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import build_application, running
from bot.application_form import FormAction
from bot.applications import Field
from bot.buttons import MAX_DATA_BYTES, MAX_ID
from bot.config import Settings
from bot.context import IdeApplication
from bot.local_api import LocalBotApi, LocalUser, Message
from handlers.apply import FormButton
from storage import conversations
from storage.models import Application, ApplicationStatus

SWEDISH_ANSWERS = [
    ("text", "Föreningen Ängsbacken"),
    ("text", "802456-1238"),
    ("button", "Ideell förening"),
    ("button", "Kultur"),
    ("text", "Vi ordnar läxhjälp och kulturkvällar för barn och unga i Hovsjö varje vecka."),
    ("text", "Åsa Öberg"),
    ("text", "Ordförande"),
    ("text", "asa@angsbacken.se"),
    ("text", "070-123 45 67"),
    ("button", "Hoppa över"),
    ("text", "svenska, arabiska"),
    ("button", "Hoppa över"),
    ("button", "Jag godkänner"),
    ("button", "Ja"),
]


async def fill(user: LocalUser, answers: list[tuple[str, str]]) -> Message:
    """Answer every step; return the last message (the summary)."""
    replies = await user.send("/apply")
    for kind, value in answers:
        replies = await user.send(value) if kind == "text" else await user.press(value)
    return replies[-1]


async def stored(app: IdeApplication, user_id: int) -> Application | None:
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        return await session.scalar(
            select(Application)
            .where(Application.applicant_id == user_id)
            .order_by(Application.id.desc())
        )


async def test_a_full_application_in_swedish(
    app: IdeApplication, person: Callable[..., LocalUser]
) -> None:
    user = person(101, "sv")
    summary = await fill(user, SWEDISH_ANSWERS)

    assert "Föreningen Ängsbacken" in summary.text
    assert "802456-1238" in summary.text
    assert "+46701234567" in summary.text
    replies = await user.press("Skicka")

    assert "IDE-" in replies[-1].text
    application = await stored(app, 101)
    assert application is not None
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.org_number == "8024561238"
    assert application.org_form == "ideell-forening"
    assert application.phone == "+46701234567"
    assert application.email == "asa@angsbacken.se"
    assert application.consent_at is not None
    assert application.public is True


ARABIC_ANSWERS = [
    ("text", "جمعية الأمل الثقافية"),
    ("button", "ليس لدينا"),
    ("text", "جمعية جديدة تأسست هذا العام ولم نسجل بعد"),
    ("button", "غير ربحية"),
    ("text", "دروس اللغة العربية للأطفال"),
    ("text", "نلتقي كل يوم سبت لتعليم الأطفال اللغة والثقافة ونريد التعاون مع البلدية."),
    ("text", "أمل حسن"),
    ("text", "رئيسة الجمعية"),
    ("text", "amal@example.se"),
    ("button", "تخطي"),
    ("text", "www.amal-forening.se"),
    ("button", "تخطي"),
    ("button", "تخطي"),
    ("button", "أوافق"),
    ("button", "لا"),
]


async def test_a_full_application_in_arabic(
    app: IdeApplication, person: Callable[..., LocalUser]
) -> None:
    user = person(102, "ar")
    summary = await fill(user, ARABIC_ANSWERS)

    assert summary.text.startswith("\u200f")
    assert "جمعية الأمل الثقافية" in summary.text
    replies = await user.press("إرسال")
    assert "IDE-" in replies[-1].text

    application = await stored(app, 102)
    assert application is not None
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.no_number is True
    assert application.org_number is None
    assert application.area == "دروس اللغة العربية للأطفال"
    assert application.website == "https://www.amal-forening.se"
    assert application.public is False


@pytest.mark.parametrize(
    ("number", "accepted"),
    [
        ("802456-1238", True),
        ("8024561238", True),
        ("16802456-1238", True),
        ("168024561238", True),
        (" 802456 1238 ", True),
        ("802456-1239", False),  # wrong check digit
        ("80245612", False),  # too short
        ("99802456-1238", False),  # not a century
        ("80245A-1238", False),
    ],
)
async def test_organisation_numbers_are_accepted_or_refused(
    app: IdeApplication, person: Callable[..., LocalUser], number: str, accepted: bool
) -> None:
    user = person(120, "sv")
    await user.send("/apply")
    await user.send("Föreningen Ängsbacken")

    replies = await user.send(number)

    draft = await stored(app, 120)
    assert draft is not None
    if accepted:
        assert draft.org_number == "8024561238"
        assert draft.step == "org_form"
        assert "Ideell förening" in " ".join(replies[-1].button_texts)
    else:
        assert draft.org_number is None
        assert draft.step == "org_number"
        assert "10 siffror" in replies[-1].text or "sista siffra" in replies[-1].text


async def test_a_wrong_check_digit_is_explained_and_the_draft_stays(
    app: IdeApplication, person: Callable[..., LocalUser]
) -> None:
    user = person(103, "sv")
    await user.send("/apply")
    await user.send("Föreningen Ängsbacken")

    replies = await user.send("802456-1239")

    assert "sista siffra" in replies[-1].text or "kontrollsiffra" in replies[-1].text
    draft = await stored(app, 103)
    assert draft is not None
    assert draft.step == "org_number"
    assert draft.org_name == "Föreningen Ängsbacken"
    assert draft.org_number is None


@pytest.mark.parametrize(
    ("answer", "problem_word"),
    [
        ("<b>Evil</b> förening", "emoji"),
        ("Förening 🎉", "emoji"),
        ("x" * 151, "151"),
        ("A", "2"),
    ],
)
async def test_bad_names_get_a_clear_answer_and_lose_nothing(
    app: IdeApplication, person: Callable[..., LocalUser], answer: str, problem_word: str
) -> None:
    user = person(104, "sv")
    await user.send("/apply")

    replies = await user.send(answer)

    assert problem_word in replies[-1].text
    draft = await stored(app, 104)
    assert draft is not None
    assert draft.step == "org_name"
    assert draft.org_name is None


async def test_a_photo_where_a_pdf_is_expected(
    app: IdeApplication, person: Callable[..., LocalUser]
) -> None:
    user = person(105, "en")
    await fill(user, _english_until_attachment())

    photo_reply = await user.send_photo()
    text_file = await user.send_document("notes.txt", b"hello", "text/plain")
    accepted = await user.send_document("stadgar.pdf", b"%PDF-1.4 minimal", "application/pdf")

    assert "photo" in photo_reply[-1].text
    assert "PDF" in text_file[-1].text
    draft = await stored(app, 105)
    assert draft is not None
    assert draft.attachment_name == "stadgar.pdf"
    assert draft.step == Field.CONSENT
    assert accepted[-1].text.startswith("Your data")
    assert accepted[-1].text.rstrip().endswith("Do you agree?"), "the consent step comes next"
    assert "✅ I agree" in accepted[-1].button_texts


def _english_until_attachment() -> list[tuple[str, str]]:
    return [
        ("text", "Hovsjö Youth Club"),
        ("text", "802456-1238"),
        ("button", "Non-profit association"),
        ("button", "Sport"),
        ("text", "Football and homework help for teenagers, three evenings a week."),
        ("text", "Sam Lee"),
        ("text", "Secretary"),
        ("text", "sam@example.org"),
        ("button", "Skip"),
        ("button", "Skip"),
        ("button", "Skip"),
    ]


async def test_a_draft_survives_an_application_restart_mid_form(
    settings: Settings, tmp_path: Path
) -> None:
    api = LocalBotApi()
    async with running(build_application(settings, request=api)) as app:
        user = LocalUser(api, app, 106, language_code="sv")
        await user.send("/apply")
        await user.send("Föreningen Ängsbacken")
        await user.send("802456-1238")

    api = LocalBotApi()
    async with running(build_application(settings, request=api)) as app:
        user = LocalUser(api, app, 106, language_code="sv")
        resumed = await user.send("/apply")
        assert [m.text for m in resumed] == [
            "Välkommen tillbaka! Nu fortsätter vi med din ansökan.",
            "Vilken organisationsform är det?",
        ], "welcomed back, and asked the step it stopped at"
        assert "Ideell förening" in " ".join(resumed[-1].button_texts), (
            "continues at the form step"
        )
        prompt = resumed[-1]
        await user.press("Ideell förening")
        draft = await stored(app, 106)
    assert prompt.text.endswith("✓ Ideell förening"), "the prompt, edited, shows the choice"
    assert not any("Ideell" in label for label in prompt.button_texts)
    assert draft is not None
    assert draft.org_name == "Föreningen Ängsbacken"
    assert draft.org_number == "8024561238"
    assert draft.org_form == "ideell-forening"
    assert draft.step == "area"


async def test_back_and_edit_from_the_summary(
    app: IdeApplication, person: Callable[..., LocalUser]
) -> None:
    user = person(107, "sv")
    await user.send("/apply")
    await user.send("Föreningen Fel Namn")
    await user.press("Tillbaka")
    await user.send("Föreningen Rätt Namn")
    summary = await fill_rest(user)
    assert "Föreningen Rätt Namn" in summary.text

    await user.press("Ändra")
    await user.press("E-post")
    replies = await user.send("ny@angsbacken.se")

    assert "ny@angsbacken.se" in replies[-1].text, "back at the summary with the new value"
    draft = await stored(app, 107)
    assert draft is not None
    assert draft.email == "ny@angsbacken.se"
    assert draft.step is None


async def fill_rest(user: LocalUser) -> Message:
    replies: list[Message] = []
    for kind, value in SWEDISH_ANSWERS[1:]:
        replies = await user.send(value) if kind == "text" else await user.press(value)
    return replies[-1]


async def test_a_duplicate_organisation_number_tells_the_status(
    app: IdeApplication, person: Callable[..., LocalUser]
) -> None:
    first = person(108, "sv")
    await fill(first, SWEDISH_ANSWERS)
    await first.press("Skicka")

    second = person(109, "en")
    await second.send("/apply")
    await second.send("Ängsbacken again")
    replies = await second.send("8024561238")

    assert "IDE-" in replies[-1].text
    assert "already" in replies[-1].text
    draft = await stored(app, 109)
    assert draft is not None
    assert draft.org_number is None


async def test_pause_then_questions_are_answered_again(
    app: IdeApplication, person: Callable[..., LocalUser]
) -> None:
    user = person(110, "en")
    await user.send("/apply")
    await user.press("Later")

    replies = await user.send("how do we join the agreement?")

    assert "Source" in replies[-1].text
    draft = await stored(app, 110)
    assert draft is not None
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        assert await conversations.current(session, 110) is None, "the form is paused"


async def test_cancel_deletes_the_draft(
    app: IdeApplication, person: Callable[..., LocalUser]
) -> None:
    user = person(111, "fi")
    await user.send("/apply")
    await user.send("Yhdistys Oy")

    await user.press("✖")

    assert await stored(app, 111) is None


async def test_a_skip_left_under_an_earlier_question_skips_nothing(
    app: IdeApplication, person: Callable[..., LocalUser]
) -> None:
    user = person(112, "en")
    await fill(user, _english_until_attachment()[:8])
    phone_prompt = user.last_with_buttons()
    await user.send("070-123 45 67")  # answered in writing; the prompt keeps its Skip

    replies = await user.press("Skip", phone_prompt)

    draft = await stored(app, 112)
    assert draft is not None
    assert draft.phone == "+46701234567"
    assert draft.step == Field.WEBSITE, "the website is still asked for"
    assert "website" in replies[-1].text


async def test_a_button_of_another_draft_or_forged_changes_nothing(
    app: IdeApplication, person: Callable[..., LocalUser]
) -> None:
    user = person(113, "en")
    await user.send("/apply")
    draft = await stored(app, 113)
    assert draft is not None

    await user.press_data(FormButton(draft.id + 1, FormAction.CANCEL).pack())
    other = user.answers[-1]
    await user.press_data(f"{FormButton.of_draft(draft.id)}explode")
    forged = user.answers[-1]

    assert "no longer works" in other
    assert "no longer works" in forged
    assert await stored(app, 113) is not None, "the draft is still there"


def test_every_form_button_fits_telegrams_64_bytes() -> None:
    longest_value = max([*Field, "ekonomisk-forening", "children-youth"], key=len)
    for action in FormAction:
        data = FormButton(MAX_ID, action, longest_value).pack()
        assert len(data.encode()) <= MAX_DATA_BYTES
        assert FormButton.parse(data) == FormButton(MAX_ID, action, longest_value)
    assert FormButton.parse(f"af:{MAX_ID + 1}:back:-") is None, "an id the database cannot hold"
