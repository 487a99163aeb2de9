"""Staff review: notifications, approve / reject / ask for more, roles, races, the register."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import select
from telegram import Update

from bot.application_workflow import Audit
from bot.buttons import MAX_DATA_BYTES, MAX_ID
from bot.context import IdeApplication
from bot.local_api import LocalBotApi, LocalUser, Message
from bot.register_export import read_csv
from bot.textsplit import TELEGRAM_LIMIT
from handlers.application_notices import ReviewAction, ReviewButton
from storage import applications as store
from storage.models import Application, ApplicationStatus, AuditEntry, Member
from tests.conftest import ADMIN_ID
from tests.test_apply import SWEDISH_ANSWERS, fill

REVIEWER_2 = 901


async def submitted(
    person: Callable[..., LocalUser], user_id: int, language: str = "sv"
) -> LocalUser:
    """An application sent, and the reviewers' cards delivered."""
    applicant = await sent(person, user_id, language)
    await deliver(applicant.application)
    return applicant


async def sent(person: Callable[..., LocalUser], user_id: int, language: str = "sv") -> LocalUser:
    """An application sent; the reviewers' cards still wait in the outbox."""
    applicant = person(user_id, language)
    await fill(applicant, SWEDISH_ANSWERS)
    await applicant.press("Skicka")
    return applicant


async def grant_reviewer(app: IdeApplication, user_id: int) -> None:
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        await store.grant_role(session, user_id, "reviewer")


async def deliver(app: IdeApplication) -> None:
    """Let the delivery worker send what the decisions queued (it does not run by itself
    in tests)."""
    assert app.bot_data.worker is not None
    await app.bot_data.worker.drain()


async def card_for(api: LocalBotApi, reviewer_id: int) -> Message:
    return next(m for m in reversed(api.bot_messages(reviewer_id)) if m.buttons)


async def application_of(app: IdeApplication, user_id: int) -> Application:
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        found = await session.scalar(
            select(Application).where(Application.applicant_id == user_id)
        )
    assert found is not None
    return found


async def test_reviewers_are_notified_in_their_language_and_approval_tells_the_applicant(
    app: IdeApplication, api: LocalBotApi, person: Callable[..., LocalUser]
) -> None:
    reviewer = person(ADMIN_ID, "en")
    await reviewer.send("/start")
    applicant = await submitted(person, 201, "sv")

    card = await card_for(api, ADMIN_ID)
    assert "New application IDE-" in card.text
    assert "Föreningen Ängsbacken" in card.text
    await reviewer.press("Approve", card)
    await deliver(app)

    told = api.bot_messages(201)[-1]
    assert "godkänd" in told.text.lower() or "godkänts" in told.text.lower()
    assert (await application_of(app, 201)).status == ApplicationStatus.APPROVED
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        member = await session.scalar(select(Member))
        audit = (await session.scalars(select(AuditEntry.action))).all()
    assert member is not None
    assert member.joined_via == "application"
    assert member.org_number == "8024561238"
    assert member.contact_id == 201, "the applicant is the organisation's contact"
    assert Audit.APPROVED in audit
    assert applicant.id == 201


async def test_reject_requires_a_reason_that_reaches_the_applicant(
    app: IdeApplication, api: LocalBotApi, person: Callable[..., LocalUser]
) -> None:
    reviewer = person(ADMIN_ID, "sv")
    await reviewer.send("/start")
    applicant = await submitted(person, 202, "sv")
    await applicant.send("/language")
    await applicant.press("العربية")  # the applicant now reads Arabic

    await reviewer.press("Avslå", await card_for(api, ADMIN_ID))
    assert (await application_of(app, 202)).status == ApplicationStatus.SUBMITTED, (
        "no decision without a reason"
    )
    await reviewer.send("Föreningen verkar i Stockholm, inte i Södertälje.")
    await deliver(app)

    application = await application_of(app, 202)
    assert application.status == ApplicationStatus.REJECTED
    assert application.decision_reason == "Föreningen verkar i Stockholm, inte i Södertälje."
    told = api.bot_messages(202)[-1]
    assert "Föreningen verkar i Stockholm" in told.text
    assert told.text.startswith("\u200f"), "in the applicant's language, Arabic"
    assert "IDE-" in told.text


async def test_ask_for_more_reaches_the_applicant_whose_answer_is_attached(
    app: IdeApplication, api: LocalBotApi, person: Callable[..., LocalUser]
) -> None:
    reviewer = person(ADMIN_ID, "en")
    await reviewer.send("/start")
    applicant = await submitted(person, 204, "sv")

    await reviewer.press("Ask for more", await card_for(api, ADMIN_ID))
    await reviewer.send("Do you have members in Södertälje?")
    await deliver(app)
    question = api.bot_messages(204)[-1]
    assert "Do you have members in Södertälje?" in question.text
    assert (await application_of(app, 204)).status == ApplicationStatus.NEEDS_INFO

    await applicant.send("Ja, 40 medlemmar i Hovsjö & Ronna <3")

    application_id = (await application_of(app, 204)).id
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        application = await store.get_application(session, application_id)
    assert application is not None
    notes = application.notes
    assert [n.author for n in notes] == ["reviewer", "applicant"]
    assert notes[1].text == "Ja, 40 medlemmar i Hovsjö & Ronna <3"
    assert application.status == ApplicationStatus.SUBMITTED
    await deliver(app)
    card = await card_for(api, ADMIN_ID)
    assert "answered" in card.text
    assert "Question: Do you have members in Södertälje?" in card.text
    assert "Answer: Ja, 40 medlemmar i Hovsjö & Ronna <3" in card.text, "escaped, shown as sent"
    assert card.text.index("Answer:") < card.text.index("Föreningen Ängsbacken"), "news first"


async def test_a_long_exchange_is_cut_to_fit_the_card_and_keeps_the_answer(
    app: IdeApplication, api: LocalBotApi, person: Callable[..., LocalUser]
) -> None:
    reviewer = person(ADMIN_ID, "en")
    await reviewer.send("/start")
    long_answers = list(SWEDISH_ANSWERS)
    long_answers[0] = ("text", "Föreningen " + "Å" * 139)
    long_answers[4] = ("text", "Vi ordnar läxhjälp. " * 50)
    applicant = person(215, "sv")
    await fill(applicant, long_answers)
    await applicant.press("Skicka")
    await deliver(app)

    for round_ in range(2):
        await reviewer.press("Ask for more", await card_for(api, ADMIN_ID))
        await reviewer.send(f"Fråga {round_}: " + "varför? " * 120)
        await applicant.send(f"Svar {round_}: " + "därför att 🌍 " * 80)
        await deliver(app)

    card = await card_for(api, ADMIN_ID)
    assert len(card.text.encode("utf-16-le")) // 2 <= TELEGRAM_LIMIT
    assert "Svar 1: därför att 🌍" in card.text, "the newest answer is kept"
    assert "Fråga 1: varför?" in card.text
    assert "Fråga 0" not in card.text, "the oldest of the exchange gives way"
    assert "därför att …" in card.text, "and the oldest that is kept is cut short"
    assert "Föreningen ÅÅÅ" in card.text


async def test_a_forged_approve_from_a_non_reviewer_is_refused_and_logged(
    app: IdeApplication, api: LocalBotApi, person: Callable[..., LocalUser]
) -> None:
    reviewer = person(ADMIN_ID, "en")
    await reviewer.send("/start")
    await submitted(person, 205, "sv")
    application = await application_of(app, 205)
    approve = ReviewButton(application.id, ReviewAction.APPROVE).pack()
    assert approve in [b["callback_data"] for b in (await card_for(api, ADMIN_ID)).buttons]

    intruder = person(206, "en")
    await intruder.send("/start")
    await intruder.press_data(approve, intruder.api.bot_messages(206)[-1])

    assert "staff" in intruder.answers[-1]
    assert (await application_of(app, 205)).status == ApplicationStatus.SUBMITTED
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        refused = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == Audit.REFUSED)
        )
    assert refused is not None
    assert refused.actor_id == 206
    assert refused.detail == approve


async def test_a_malformed_review_button_no_longer_works_and_changes_nothing(
    app: IdeApplication, api: LocalBotApi, person: Callable[..., LocalUser]
) -> None:
    reviewer = person(ADMIN_ID, "en")
    await reviewer.send("/start")
    await submitted(person, 216, "sv")
    application = await application_of(app, 216)
    card = await card_for(api, ADMIN_ID)

    await reviewer.press_data(f"{ReviewButton.prefix}:{application.id}:approve", card)
    await reviewer.press_data(f"{ReviewButton.prefix}:{MAX_ID + 1}:a", card)

    assert all("no longer works" in answer for answer in reviewer.answers[-2:])
    assert (await application_of(app, 216)).status == ApplicationStatus.SUBMITTED


def test_every_review_button_fits_telegrams_64_bytes() -> None:
    for action in ReviewAction:
        data = ReviewButton(MAX_ID, action).pack()
        assert len(data.encode()) <= MAX_DATA_BYTES
        assert ReviewButton.parse(data) == ReviewButton(MAX_ID, action)


async def test_an_approve_and_a_reject_racing_end_in_one_decision(
    app: IdeApplication, api: LocalBotApi, person: Callable[..., LocalUser]
) -> None:
    await grant_reviewer(app, REVIEWER_2)
    first, second = person(ADMIN_ID, "en"), person(REVIEWER_2, "en")
    await first.send("/start")
    await second.send("/start")
    await submitted(person, 207, "sv")
    await second.press("Reject", await card_for(api, REVIEWER_2))

    approve = ReviewButton((await application_of(app, 207)).id, ReviewAction.APPROVE).pack()
    press = api.callback(await card_for(api, ADMIN_ID), first.user, approve)
    reason = api.incoming(second.chat_id, second.user, "Not in our municipality.")
    await asyncio.gather(
        app.process_update(Update.de_json(press, app.bot)),
        app.process_update(Update.de_json(reason, app.bot)),
    )

    application = await application_of(app, 207)
    assert application.status in {ApplicationStatus.APPROVED, ApplicationStatus.REJECTED}
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        decisions = (
            await session.scalars(
                select(AuditEntry.action).where(
                    AuditEntry.action.in_([Audit.APPROVED, Audit.REJECTED])
                )
            )
        ).all()
        members = (await session.scalars(select(Member))).all()
    assert len(decisions) == 1
    assert len(members) == (1 if application.status == ApplicationStatus.APPROVED else 0)
    loser = second if application.status == ApplicationStatus.APPROVED else first
    assert "already" in api.bot_messages(loser.chat_id)[-1].text


async def test_applications_lists_pending_oldest_first(
    app: IdeApplication, api: LocalBotApi, person: Callable[..., LocalUser]
) -> None:
    await submitted(person, 208, "sv")
    answers = [("text", "Andra föreningen"), ("text", "556036-0793"), *SWEDISH_ANSWERS[2:]]
    second = person(209, "sv")
    await fill(second, answers)
    await second.press("Skicka")

    listing = await person(ADMIN_ID, "en").send("/applications")

    assert "2 applications" in listing[-1].text
    labels = listing[-1].button_texts
    assert "Föreningen Ängsbacken" in labels[0]
    assert "Andra föreningen" in labels[1]
    refused = await person(210, "en").send("/applications")
    assert "staff" in refused[-1].text


async def test_a_reviewer_unreachable_at_submission_gets_the_card_when_telegram_answers(
    app: IdeApplication, api: LocalBotApi, person: Callable[..., LocalUser]
) -> None:
    reviewer = person(ADMIN_ID, "sv")
    await reviewer.send("/start")
    await sent(person, 211)

    api.time_out_next(1)  # the first attempt to send the card fails
    await deliver(app)

    card = await card_for(api, ADMIN_ID)
    assert "Ny ansökan IDE-" in card.text, "retried, in the reviewer's language"
    assert sum("Ny ansökan" in m.text for m in api.bot_messages(ADMIN_ID)) == 1


async def test_a_card_still_queued_when_the_application_is_decided_is_not_sent(
    app: IdeApplication, api: LocalBotApi, person: Callable[..., LocalUser]
) -> None:
    reviewer = person(ADMIN_ID, "en")
    await reviewer.send("/start")
    await sent(person, 212)

    listing = await reviewer.send("/applications")
    opened = await reviewer.press("Föreningen Ängsbacken", listing[-1])
    await reviewer.press("Approve", opened[-1])
    await deliver(app)

    assert (await application_of(app, 212)).status == ApplicationStatus.APPROVED
    assert not any("New application" in m.text for m in api.bot_messages(ADMIN_ID))
    assert "godkänd" in api.bot_messages(212)[-1].text.lower()


async def test_members_and_the_csv_export_round_trip_swedish_and_arabic(
    app: IdeApplication, api: LocalBotApi, person: Callable[..., LocalUser]
) -> None:
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        from datetime import date  # noqa: PLC0415

        await store.add_member(
            session,
            name="Föreningen Ängsö",
            org_number=None,
            area="Kultur",
            joined_on=date(2025, 10, 4),
            joined_via="forum",
            public=True,
        )
        await store.add_member(
            session,
            name="جمعية الأمل",
            org_number="5560360793",
            area="ثقافة",
            joined_on=date(2025, 10, 4),
            joined_via="forum",
            public=True,
        )
        await store.add_member(
            session,
            name="Hemliga klubben",
            org_number=None,
            area=None,
            joined_on=date(2025, 10, 4),
            joined_via="forum",
            public=False,
        )

    listing = (await person(211, "sv").send("/members"))[-1]
    assert "Föreningen Ängsö" in listing.text
    assert "جمعية الأمل" in listing.text
    assert "Hemliga klubben" not in listing.text

    files = await person(ADMIN_ID, "sv").send("/export")
    register = next(m for m in files if m.document and m.document[0].startswith("register"))
    raw = register.document[1] if register.document else b""
    assert raw.startswith("\ufeff".encode())
    rows = read_csv(raw)
    assert {r["name"] for r in rows} == {"Föreningen Ängsö", "جمعية الأمل", "Hemliga klubben"}
    assert next(r for r in rows if r["name"] == "جمعية الأمل")["area"] == "ثقافة"
    refused = await person(212, "en").send("/export")
    assert "staff" in refused[-1].text


async def test_deletemydata_removes_personal_data_and_anonymises_the_contact(
    app: IdeApplication, api: LocalBotApi, person: Callable[..., LocalUser]
) -> None:
    applicant = await submitted(person, 213, "sv")
    await applicant.send("hur går vi med?")
    overview = (await applicant.send("/mydata"))[-1]
    assert "asa@angsbacken.se" in overview.text

    await applicant.send("/deletemydata")
    done = await applicant.press("🗑")

    assert "anonymiserad" in done[-1].text or "anonymiserade" in done[-1].text
    from storage.models import Question, User  # noqa: PLC0415

    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        assert await session.get(User, 213) is None
        assert (await session.scalars(select(Question).where(Question.user_id == 213))).all() == []
        kept = await session.scalar(
            select(Application).where(Application.org_name == "Föreningen Ängsbacken")
        )
    assert kept is not None
    assert kept.applicant_id is None
    assert kept.email is None
    assert kept.phone is None
    assert kept.contact_name == "[raderad]"
    assert kept.org_number == "8024561238", "the organisation's data stays"


async def test_a_decision_stands_when_the_applicant_has_blocked_the_bot(
    app: IdeApplication, api: LocalBotApi, person: Callable[..., LocalUser]
) -> None:
    from storage.models import Outbox  # noqa: PLC0415

    reviewer = person(ADMIN_ID, "en")
    await reviewer.send("/start")
    await submitted(person, 214, "sv")
    api.block(214)

    await reviewer.press("Approve", await card_for(api, ADMIN_ID))
    await deliver(app)

    assert (await application_of(app, 214)).status == ApplicationStatus.APPROVED
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        notice = await session.scalar(select(Outbox).where(Outbox.recipient == 214))
    assert notice is not None
    assert notice.kind == "application"
    assert notice.status == "blocked"
