"""The application's form and workflow as domain functions, without Telegram: the form's
steps, submit, ask for more, answer, approve, reject; audit entries and queued notices."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot import application_form as form
from bot import application_workflow as workflow
from bot.application_form import FormAction
from bot.application_workflow import (
    APPLICATION,
    REVIEW_CARD,
    Audit,
    Author,
    CardEvent,
    Notice,
    Outcome,
)
from bot.applications import Field, Problem
from bot.conversations import Flow
from storage import applications as store
from storage import conversations
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Application, ApplicationStatus, AuditEntry, Member, Outbox

ZONE = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # already 2027 in Stockholm
ADMINS = frozenset({900})
REVIEWER = 900
APPLICANT = 501


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database.connect(database_url)
    await upgrade(database.engine)
    yield database
    await database.close()


async def draft_of(db: Database, user_id: int = APPLICANT) -> Application:
    async with db.transaction() as session:
        draft = await store.current_draft(session, user_id)
    assert draft is not None
    return draft


async def ready(
    db: Database, user_id: int = APPLICANT, org_number: str | None = "8024561238"
) -> int:
    """A draft with every field answered (set directly: the form has tests of its own)."""
    async with db.transaction() as session:
        draft = (await form.open_form(session, user_id, "sv", NOW)).draft
        draft.org_name, draft.org_number = "Föreningen Ängsbacken", org_number
        draft.no_number = org_number is None
        draft.org_form, draft.area, draft.public = "ideell-forening", "culture", True
        draft.description = "Läxhjälp och kulturkvällar för barn och unga i Hovsjö."
        draft.contact_name, draft.email, draft.consent_at = "Åsa Öberg", "asa@example.se", NOW
        draft.step = None
        return draft.id


async def submit(db: Database, user_id: int = APPLICANT, at: datetime = NOW) -> workflow.Result:
    async with db.transaction() as session:
        draft = await store.current_draft(session, user_id)
        assert draft is not None
        return await workflow.submit(session, draft, ADMINS, at)


async def audit_log(db: Database) -> list[tuple[int | None, str, str | None, datetime]]:
    async with db.transaction() as session:
        rows = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(row.actor_id, row.action, row.detail, row.at) for row in rows]


async def queued(db: Database) -> list[tuple[int, str, dict[str, object]]]:
    async with db.transaction() as session:
        rows = await session.scalars(select(Outbox).order_by(Outbox.id))
        return [(row.recipient, row.kind, dict(row.payload or {})) for row in rows]


async def application(db: Database, application_id: int) -> Application:
    async with db.transaction() as session:
        found = await store.get_application(session, application_id)
    assert found is not None
    return found


# -- the form ---------------------------------------------------------------------------------


async def answer(db: Database, text: str) -> form.Answered:
    async with db.transaction() as session:
        draft = await store.current_draft(session, APPLICANT)
        assert draft is not None
        return await form.answer_text(session, draft, text, NOW)


async def press(db: Database, action: FormAction, value: str = "-") -> bool:
    async with db.transaction() as session:
        draft = await store.current_draft(session, APPLICANT)
        assert draft is not None
        return form.press(draft, action, value, NOW)


async def step(db: Database) -> Field | None:
    return form.current_field(await draft_of(db))


async def test_the_form_asks_every_field_in_order_and_a_number_skips_the_reason(
    db: Database,
) -> None:
    async with db.transaction() as session:
        opened = await form.open_form(session, APPLICANT, "sv", NOW)
    assert not opened.resumed
    asked = [await step(db)]
    await answer(db, "Föreningen Ängsbacken")
    asked.append(await step(db))
    await answer(db, "802456-1238")
    asked.append(await step(db))
    await press(db, FormAction.CHOOSE, "ideell-forening")
    asked.append(await step(db))
    for text in ("Kultur", "Läxhjälp och kulturkvällar för barn och unga.", "Åsa Öberg"):
        await answer(db, text)
        asked.append(await step(db))
    for text in ("Ordförande", "asa@example.se"):
        await answer(db, text)
        asked.append(await step(db))
    for optional in (Field.PHONE, Field.WEBSITE, Field.LANGUAGES, Field.ATTACHMENT):
        assert await press(db, FormAction.SKIP, optional)
        asked.append(await step(db))
    await press(db, FormAction.AGREE)
    asked.append(await step(db))
    await press(db, FormAction.PUBLIC, "y")
    asked.append(await step(db))

    assert asked == [*(f for f in Field if f is not Field.NO_NUMBER_REASON), None]
    draft = await draft_of(db)
    assert draft.org_number == "8024561238"
    assert draft.consent_at == NOW
    assert draft.updated_at == NOW, "the caller's clock, not the wall clock"
    assert draft.public is True


async def test_no_number_asks_for_the_reason_and_back_returns_to_the_number(db: Database) -> None:
    async with db.transaction() as session:
        await form.open_form(session, APPLICANT, "sv", NOW)
    await answer(db, "Föreningen Ängsbacken")

    await press(db, FormAction.NO_NUMBER)
    assert await step(db) is Field.NO_NUMBER_REASON
    assert await press(db, FormAction.BACK, Field.NO_NUMBER_REASON)
    assert await step(db) is Field.ORG_NUMBER
    assert not await press(db, FormAction.BACK, Field.ORG_FORM), "a Back from another step"
    assert not await press(db, FormAction.AGREE), "consent is not asked now"
    assert not await press(db, FormAction.SKIP, Field.ORG_NUMBER), "the number is not optional"
    assert not await press(db, FormAction.CHOOSE, "culture"), "no choices for the number"
    assert await step(db) is Field.ORG_NUMBER


async def test_a_refused_answer_keeps_the_step_and_says_why(db: Database) -> None:
    async with db.transaction() as session:
        await form.open_form(session, APPLICANT, "sv", NOW)
    await answer(db, "Föreningen Ängsbacken")

    refused = await answer(db, "802456-1239")

    assert refused.problem is Problem.ORG_NUMBER_CHECK
    assert not refused.saved
    assert await step(db) is Field.ORG_NUMBER
    assert (await draft_of(db)).org_number is None


async def test_changing_an_answer_from_the_summary_returns_to_the_summary(db: Database) -> None:
    await ready(db)
    assert not await press(db, FormAction.EDIT, "no_such_field")

    assert await press(db, FormAction.EDIT, Field.ORG_NUMBER)
    await press(db, FormAction.NO_NUMBER)
    assert await step(db) is Field.NO_NUMBER_REASON, "the reason is needed first"
    await answer(db, "Nystartad förening, ännu inte registrerad.")

    draft = await draft_of(db)
    assert draft.step is None
    assert draft.editing is False
    assert draft.no_number is True
    assert draft.org_number is None
    assert Field.NO_NUMBER_REASON in form.editable_fields(draft)


async def test_a_draft_is_resumed_not_started_again(db: Database) -> None:
    first = await ready(db)
    async with db.transaction() as session:
        draft = await store.current_draft(session, APPLICANT)
        assert draft is not None
        await form.pause(session, draft, NOW)
        assert await conversations.current(session, APPLICANT) is None, "texts are questions"
    later = NOW + timedelta(days=2)
    async with db.transaction() as session:
        opened = await form.open_form(session, APPLICANT, "en", later)
    assert opened.resumed
    assert opened.draft.id == first
    async with db.transaction() as session:
        filling = await conversations.current(session, APPLICANT)
    assert filling is not None
    assert (filling.flow, filling.subject_id) == (Flow.APPLICATION, first)
    assert opened.draft.updated_at == later


# -- the workflow -----------------------------------------------------------------------------


async def test_submit_ask_answer_approve_writes_the_register_the_audit_and_the_notices(
    db: Database,
) -> None:
    async with db.transaction() as session:
        await store.grant_role(session, 901, "reviewer")
    application_id = await ready(db)

    submitted = await submit(db)
    assert submitted.outcome is Outcome.DONE
    assert submitted.application is not None
    assert submitted.application.reference == f"IDE-2026-{application_id:04d}"

    async with db.transaction() as session:
        asked = await workflow.ask_for_more(
            session, application_id, REVIEWER, "  Har ni   medlemmar i Södertälje? ", NOW
        )
        pending = await conversations.current(session, APPLICANT)
    assert asked.outcome is Outcome.DONE
    assert pending is not None
    assert pending.flow == Flow.ANSWER
    assert (await application(db, application_id)).status == ApplicationStatus.NEEDS_INFO

    answered_at = NOW + timedelta(hours=1)
    async with db.transaction() as session:
        answered = await workflow.answer(
            session, application_id, APPLICANT, "Ja, 40.", admins=ADMINS, now=answered_at
        )
        assert await conversations.current(session, APPLICANT) is None, "the answer uses it up"
    assert answered.outcome is Outcome.DONE

    async with db.transaction() as session:
        approved = await workflow.approve(session, application_id, REVIEWER, answered_at, ZONE)
        member = await session.scalar(select(Member))
    assert approved.outcome is Outcome.DONE

    decided = await application(db, application_id)
    assert decided.status == ApplicationStatus.APPROVED
    assert decided.decided_at == answered_at
    assert decided.submitted_at == NOW
    assert [(n.author, n.text) for n in decided.notes] == [
        (Author.REVIEWER, "Har ni medlemmar i Södertälje?"),
        (Author.APPLICANT, "Ja, 40."),
    ]
    assert member is not None
    assert (member.name, member.org_number, member.joined_via, member.public) == (
        "Föreningen Ängsbacken", "8024561238", "application", True,
    )  # fmt: skip
    assert member.joined_on == date(2027, 1, 1), "today in the municipality's zone"
    assert await audit_log(db) == [
        (APPLICANT, Audit.SUBMITTED, None, NOW),
        (REVIEWER, Audit.ASKED, "Har ni medlemmar i Södertälje?", NOW),
        (APPLICANT, Audit.ANSWERED, None, answered_at),
        (REVIEWER, Audit.APPROVED, None, answered_at),
    ]
    card = {"application": application_id}
    reference = decided.reference
    assert await queued(db) == [
        (900, REVIEW_CARD, {**card, "event": CardEvent.NEW}),
        (901, REVIEW_CARD, {**card, "event": CardEvent.NEW}),
        (APPLICANT, APPLICATION, workflow.notice_payload(
            Notice.QUESTION, reference or "", "Föreningen Ängsbacken",
            "Har ni medlemmar i Södertälje?",
        )),
        (900, REVIEW_CARD, {**card, "event": CardEvent.ANSWERED}),
        (901, REVIEW_CARD, {**card, "event": CardEvent.ANSWERED}),
        (APPLICANT, APPLICATION, workflow.notice_payload(
            Notice.APPROVED, reference or "", "Föreningen Ängsbacken"
        )),
    ]  # fmt: skip


async def test_reject_requires_a_reason_which_the_applicant_is_sent(db: Database) -> None:
    application_id = await ready(db)
    await submit(db)

    async with db.transaction() as session:
        await workflow.await_input(session, REVIEWER, Flow.REJECT_REASON, application_id, NOW)
        empty = await workflow.reject(session, application_id, REVIEWER, " \n ", NOW)
        still_pending = await conversations.current(session, REVIEWER)
    assert empty.outcome is Outcome.EMPTY
    assert still_pending is not None, "the reviewer is still asked for the reason"
    assert (await application(db, application_id)).status == ApplicationStatus.SUBMITTED

    async with db.transaction() as session:
        rejected = await workflow.reject(
            session, application_id, REVIEWER, "Verkar inte i kommunen.", NOW
        )
        assert await conversations.current(session, REVIEWER) is None
    assert rejected.outcome is Outcome.DONE
    decided = await application(db, application_id)
    assert decided.status == ApplicationStatus.REJECTED
    assert decided.decision_reason == "Verkar inte i kommunen."
    assert (REVIEWER, Audit.REJECTED, "Verkar inte i kommunen.", NOW) in await audit_log(db)
    assert (await queued(db))[-1] == (
        APPLICANT,
        APPLICATION,
        workflow.notice_payload(
            Notice.REJECTED, decided.reference or "", "Föreningen Ängsbacken",
            "Verkar inte i kommunen.",
        ),
    )  # fmt: skip


async def test_a_decision_is_taken_once(db: Database) -> None:
    application_id = await ready(db)
    await submit(db)
    async with db.transaction() as session:
        first = await workflow.approve(session, application_id, REVIEWER, NOW, ZONE)
    later = NOW + timedelta(minutes=1)

    async with db.transaction() as session:
        again = await workflow.approve(session, application_id, 901, later, ZONE)
        rejected = await workflow.reject(session, application_id, 901, "För sent.", later)
        asked = await workflow.ask_for_more(session, application_id, 901, "Och nu?", later)
        awaiting = await workflow.await_input(session, 901, Flow.QUESTION, application_id, later)
        members = (await session.scalars(select(Member))).all()

    assert first.outcome is Outcome.DONE
    for late in (again, rejected, asked, awaiting):
        assert late.outcome is Outcome.ALREADY_DECIDED
        assert late.application is not None
        assert late.application.status == ApplicationStatus.APPROVED
    assert len(members) == 1
    decided = await application(db, application_id)
    assert (decided.decided_by, decided.decided_at) == (REVIEWER, NOW)
    assert [action for _, action, _, _ in await audit_log(db)] == [Audit.SUBMITTED, Audit.APPROVED]


async def test_an_answer_after_the_decision_is_kept_but_sends_no_card(db: Database) -> None:
    application_id = await ready(db)
    await submit(db)
    async with db.transaction() as session:
        await workflow.ask_for_more(session, application_id, REVIEWER, "Hur många?", NOW)
        await workflow.approve(session, application_id, REVIEWER, NOW, ZONE)
    before = len(await queued(db))

    async with db.transaction() as session:
        answered = await workflow.answer(
            session, application_id, APPLICANT, "Fyrtio.", admins=ADMINS, now=NOW
        )

    assert answered.outcome is Outcome.DONE
    assert len(await queued(db)) == before
    decided = await application(db, application_id)
    assert decided.status == ApplicationStatus.APPROVED
    assert decided.notes[-1].text == "Fyrtio."


async def test_submit_refuses_an_unfinished_draft_and_a_second_application(db: Database) -> None:
    async with db.transaction() as session:
        await form.open_form(session, 502, "sv", NOW)
    unfinished = await submit(db, 502)
    assert unfinished.outcome is Outcome.NOT_READY

    first = await ready(db)
    await submit(db)
    await ready(db, 503)
    second = await submit(db, 503)
    assert second.outcome is Outcome.DUPLICATE
    assert isinstance(second.duplicate, Application)
    assert second.duplicate.id == first

    async with db.transaction() as session:
        await workflow.approve(session, first, REVIEWER, NOW, ZONE)
    third = await submit(db, 503)
    assert third.outcome is Outcome.DUPLICATE
    assert isinstance(third.duplicate, Member), "the organisation has joined meanwhile"
    assert (await draft_of(db, 503)).status == ApplicationStatus.DRAFT
    assert [a for _, a, _, _ in await audit_log(db)] == [Audit.SUBMITTED, Audit.APPROVED]


async def test_without_an_organisation_number_anyone_may_apply_twice(db: Database) -> None:
    await ready(db, 504, org_number=None)
    await ready(db, 505, org_number=None)

    assert (await submit(db, 504)).outcome is Outcome.DONE
    assert (await submit(db, 505)).outcome is Outcome.DONE


async def test_a_reason_of_only_whitespace_or_invisible_characters_rejects_nothing(
    db: Database,
) -> None:
    application_id = await ready(db)
    await submit(db)
    async with db.transaction() as session:
        empty = await workflow.reject(session, application_id, REVIEWER, "\u200b \u202e\n", NOW)
        question = await workflow.ask_for_more(session, application_id, REVIEWER, "\ufeff", NOW)
    assert (empty.outcome, question.outcome) == (workflow.Outcome.EMPTY, workflow.Outcome.EMPTY)
