"""What is sent about an application: the applicant's notices (a decision, a question) and
the reviewers' cards with their buttons. Queued in the outbox by `bot.application_workflow`
in the transaction that caused them, and worded when sent, in the reader's language then."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.application_workflow import APPLICATION, REVIEW_CARD, Author, CardEvent, Notice
from bot.buttons import Button, CallbackData
from bot.i18n import Translator
from bot.outgoing import Rendered
from bot.telegram_html import to_plain, utf16_length
from bot.textsplit import TELEGRAM_LIMIT
from handlers.apply_texts import summary_text
from storage.models import OPEN_STATUSES, Application, ApplicationNote

__all__ = [  # the outbox kinds are the workflow's; they are rendered here
    "APPLICATION",
    "REVIEW_CARD",
    "ReviewAction",
    "ReviewButton",
    "card",
    "exchange",
    "render_application",
    "render_card",
]

MIN_NOTE = 40  # characters: a note cut shorter than this to fit is left out


class ReviewAction(StrEnum):
    APPROVE = "a"
    REJECT = "r"  # asks for the reason
    MORE = "m"  # asks for the question to the applicant
    OPEN = "o"  # show the card (from /applications)
    FILE = "f"  # the attached PDF
    CANCEL = "x"  # never mind the reason or question


@dataclass(frozen=True)
class ReviewButton(CallbackData):
    """A reviewer's button about one application."""

    prefix = "rv"
    application: int
    action: ReviewAction


def render_application(t: Translator, data: Mapping[str, Any]) -> str | None:
    reference, text = str(data.get("reference", "")), str(data.get("text", ""))
    event = data.get("event")
    if event == Notice.APPROVED:
        return t.pgettext(
            "review",
            "Good news! Your application {reference} has been approved: {name} has now joined "
            "the agreement.",
            reference=reference,
            name=str(data.get("name", "")),
        )
    if event == Notice.REJECTED:
        return t.pgettext(
            "review",
            "Your application {reference} was not approved. The reason "
            "given:\n\n{reason}\n\nYou are welcome to contact us or apply again with /apply.",
            reference=reference,
            reason=text,
        )
    if event == Notice.QUESTION:
        return t.pgettext(
            "review",
            "The municipality has a question about your application "
            "{reference}:\n\n{question}\n\nPlease answer with your next message here.",
            reference=reference,
            question=text,
        )
    return None


def card(
    t: Translator, application: Application, heading: str
) -> tuple[str, tuple[tuple[Button, ...], ...]]:
    """An application as reviewers see it (with the questions asked and the answers given,
    its notes must be loaded), and the decision buttons."""

    def button(label: str, action: ReviewAction) -> Button:
        return ReviewButton(application.id, action).button(label)

    rows = [
        (
            button(t.pgettext("review", "✅ Approve"), ReviewAction.APPROVE),
            button(t.pgettext("review", "❌ Reject"), ReviewAction.REJECT),
        ),
        (button(t.pgettext("review", "❓ Ask for more"), ReviewAction.MORE),),
    ]
    if application.attachment_file_id:
        rows.append((button(t.pgettext("review", "📎 Attachment"), ReviewAction.FILE),))
    text = summary_text(t, application, heading)
    room = TELEGRAM_LIMIT - _length(text) - 3  # the blank line, and a direction mark
    if application.notes and (notes := exchange(t, application.notes, room)):
        text = summary_text(t, application, f"{heading}\n\n{notes}")
    return text, tuple(rows)


def exchange(t: Translator, notes: Sequence[ApplicationNote], room: int) -> str:
    """The questions asked and the answers given, oldest first. When they do not all fit in
    `room` (characters as Telegram counts them), the newest are kept, the oldest of those
    cut short."""
    lines: list[str] = []
    for note in reversed(notes):
        line = _note(t, note.author, note.text)
        if _length(line) + 1 > room:
            cut = _cut(t, note, room - 1)
            lines += [cut] if cut else []
            break
        lines.append(line)
        room -= _length(line) + 1
    return "\n".join(reversed(lines))


def render_card(t: Translator, application: Application, event: str) -> Rendered | None:
    """A queued card as it is sent; nothing once the application has been decided."""
    if application.status not in OPEN_STATUSES:
        return None
    reference = application.reference or ""
    heading = (
        t.pgettext("review", "<b>New application {reference}</b>", reference=reference)
        if event == CardEvent.NEW
        else t.pgettext(
            "review", "<b>{reference}: the applicant has answered</b>", reference=reference
        )
    )
    text, rows = card(t, application, heading)
    return Rendered(t.directional(text), rows)


def _note(t: Translator, author: str, text: str) -> str:
    if author == Author.APPLICANT:
        return t.pgettext("review", "💬 <b>Answer:</b> {text}", text=text)
    return t.pgettext("review", "❓ <b>Question:</b> {text}", text=text)


def _cut(t: Translator, note: ApplicationNote, room: int) -> str | None:
    keep = room - _length(_note(t, note.author, "…"))
    if keep < MIN_NOTE:
        return None
    text = note.text[:keep]
    while utf16_length(text) > keep:
        text = text[:-1]
    return _note(t, note.author, f"{text}…")


def _length(html: str) -> int:
    return utf16_length(to_plain(html))
