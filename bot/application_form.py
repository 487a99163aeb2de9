"""The application form on a draft: open or resume it, take an answer (written, a PDF, or a
button), go back, change an answer from the summary, pause, cancel.

Every change is saved on the draft at once (the caller's transaction commits it), so a half
filled form survives restarts; the draft's `step` is the field asked next, None at the
summary. Plain values in, plain results out; `now` is the caller's clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot import applications as fields
from bot.applications import Field, Problem
from bot.conversations import Flow
from storage import applications as store
from storage import conversations
from storage.models import Application, Member

FIRST = fields.ORDER[0]


class FormAction(StrEnum):
    """What a button under the form does, and what its value is."""

    CHOOSE = "c"  # one of the current field's choices (value: its code)
    NO_NUMBER = "nonum"  # the organisation has no organisation number
    AGREE = "agree"  # consent to the processing
    PUBLIC = "pub"  # in the public register, or not (value: y or n)
    SKIP = "skip"  # an optional field (value: the field)
    BACK = "back"  # to the field before (value: the field it was shown for)
    FIELDS = "fields"  # list the answers that can be changed
    EDIT = "edit"  # change an answer from the summary (value: the field)
    LATER = "later"  # pause; /apply resumes
    CANCEL = "cancel"  # delete the draft
    SUBMIT = "submit"


Duplicate = Member | Application  # the organisation has joined, or has an open application


@dataclass(frozen=True)
class Opened:
    draft: Application
    resumed: bool  # False: a new draft


@dataclass(frozen=True)
class Answered:
    """An answer saved (the draft moved on), refused with a problem, or not needed: the
    organisation has joined, or applied already."""

    problem: Problem | None = None
    duplicate: Duplicate | None = None

    @property
    def saved(self) -> bool:
        return self.problem is None and self.duplicate is None


async def open_form(session: AsyncSession, user_id: int, language: str, now: datetime) -> Opened:
    """The person's draft, or a new one at the first field; their texts go to it."""
    draft = await store.current_draft(session, user_id)
    resumed = draft is not None
    if draft is None:
        draft = await store.start_draft(session, user_id, language, FIRST, now)
    else:
        draft.updated_at = now
    await conversations.begin(session, user_id, Flow.APPLICATION, now, subject_id=draft.id)
    return Opened(draft, resumed)


def current_field(draft: Application) -> Field | None:
    """The field the form asks now; None at the summary."""
    return Field(draft.step) if draft.step else None


def takes_message(draft: Application) -> bool:
    """Whether the current step is answered by a message (not only by a button)."""
    field = current_field(draft)
    return field is not None and field not in fields.BUTTON_ONLY


async def answer_text(
    session: AsyncSession, draft: Application, text: str, now: datetime
) -> Answered:
    """A written answer to the current field: checked, saved, and the draft moves on."""
    field = current_field(draft)
    if field is None or field in fields.BUTTON_ONLY or field is Field.ATTACHMENT:
        raise ValueError(f"step {draft.step!r} is not answered in writing")
    checked = fields.check_answer(field, text)
    if not checked.ok:
        return Answered(problem=checked.problem)
    if field is Field.ORG_NUMBER:
        assert checked.value is not None
        if duplicate := await find_duplicate(session, checked.value, draft.id):
            return Answered(duplicate=duplicate)
        draft.no_number, draft.no_number_reason = False, None
    setattr(draft, field.value, checked.value)
    _advance(draft, field, now)
    return Answered()


def attach(
    draft: Application,
    file_id: str,
    *,
    filename: str | None,
    mime_type: str | None,
    size: int | None,
    now: datetime,
) -> Answered:
    """A file sent at the attachment step: kept (Telegram keeps the file) if it is a PDF
    within the limit."""
    if current_field(draft) is not Field.ATTACHMENT:
        raise ValueError(f"step {draft.step!r} takes no file")
    checked = fields.check_pdf(filename, mime_type, size)
    if not checked.ok:
        return Answered(problem=checked.problem)
    draft.attachment_file_id, draft.attachment_name = file_id, checked.value
    _advance(draft, Field.ATTACHMENT, now)
    return Answered()


def press(draft: Application, action: FormAction, value: str, now: datetime) -> bool:
    """Back, change an answer, or answer the current field with a button. False (nothing
    changes) when the button does not fit where the form is: one left from another step."""
    field = current_field(draft)
    if action is FormAction.BACK and field is not None and value == field:
        previous = fields.previous_field(field, has_number=not draft.no_number)
        draft.step = (previous or field).value
    elif action is FormAction.EDIT and field is None and value in editable_fields(draft):
        draft.step, draft.editing = value, True
    elif field is not None and _answer_by_button(draft, field, action, value, now):
        _advance(draft, field, now)
    else:
        return False
    draft.updated_at = now
    return True


def editable_fields(draft: Application) -> list[Field]:
    """The answers the summary offers to change."""
    return [f for f in fields.ORDER if f is not Field.NO_NUMBER_REASON or draft.no_number]


async def pause(session: AsyncSession, draft: Application, now: datetime) -> None:
    """Questions are answered again until /apply resumes the form."""
    draft.updated_at = now
    if draft.applicant_id is not None:
        await conversations.end(session, draft.applicant_id, Flow.APPLICATION)


async def cancel(session: AsyncSession, draft: Application) -> None:
    if draft.applicant_id is not None:
        await conversations.end(session, draft.applicant_id, Flow.APPLICATION)
    await session.delete(draft)
    await session.flush()


async def find_duplicate(
    session: AsyncSession, org_number: str, draft_id: int
) -> Duplicate | None:
    """The register entry, or an undecided application, for this organisation number."""
    member = await store.member_with_number(session, org_number)
    if member is not None:
        return member
    return await store.open_with_number(session, org_number, exclude=draft_id)


def _answer_by_button(
    draft: Application, field: Field, action: FormAction, value: str, now: datetime
) -> bool:
    if action is FormAction.CHOOSE and value in fields.CHOICES.get(field, ()):
        setattr(draft, field.value, value)
    elif action is FormAction.NO_NUMBER and field is Field.ORG_NUMBER:
        draft.no_number, draft.org_number = True, None
    elif action is FormAction.AGREE and field is Field.CONSENT:
        draft.consent_at = now
    elif action is FormAction.PUBLIC and field is Field.PUBLIC and value in {"y", "n"}:
        draft.public = value == "y"
    elif action is FormAction.SKIP and field in fields.OPTIONAL and value == field:
        if field is Field.ATTACHMENT:
            draft.attachment_file_id = draft.attachment_name = None
        else:
            setattr(draft, field.value, None)
    else:
        return False
    return True


def _advance(draft: Application, done: Field, now: datetime) -> None:
    """After a valid answer: the next field, or back to the summary when changing one
    answer (the no-number reason is still needed before it)."""
    following = fields.next_field(done, has_number=not draft.no_number)
    if done is Field.ORG_NUMBER and draft.no_number and draft.editing:
        following = Field.NO_NUMBER_REASON
    elif draft.editing or following is None:
        following, draft.editing = None, False
    draft.step = following.value if following else None
    draft.updated_at = now
