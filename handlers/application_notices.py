"""What is sent about an application: the applicant's notices (a decision, a question) and
the reviewers' cards. Queued in the outbox in the transaction that caused them, and worded
when sent, in the reader's language then."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.buttons import Button
from bot.i18n import Translator
from bot.outgoing import Rendered
from handlers.apply_texts import summary_text
from storage.models import OPEN_STATUSES, Application

APPLICATION = "application"  # the outbox kind: a notice to the applicant
REVIEW_CARD = "review"  # the outbox kind: an application's card, for one reviewer
REVIEW = "rv:"  # rv:<application id>:<a approve | r reject | m more | o open | f file | x cancel>


def payload(event: str, reference: str, name: str, text: str = "") -> dict[str, str]:
    return {"event": event, "reference": reference, "name": name, "text": text}


def render_application(t: Translator, data: Mapping[str, Any]) -> str | None:
    reference, text = str(data.get("reference", "")), str(data.get("text", ""))
    event = data.get("event")
    if event == "approved":
        return t.pgettext(
            "review",
            "Good news! Your application {reference} has been approved: {name} has now joined "
            "the agreement.",
            reference=reference,
            name=str(data.get("name", "")),
        )
    if event == "rejected":
        return t.pgettext(
            "review",
            "Your application {reference} was not approved. The reason "
            "given:\n\n{reason}\n\nYou are welcome to contact us or apply again with /apply.",
            reference=reference,
            reason=text,
        )
    if event == "question":
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
    """An application as reviewers see it, with the decision buttons."""

    def button(label: str, action: str) -> Button:
        return Button(label, f"{REVIEW}{application.id}:{action}")

    rows = [
        (
            button(t.pgettext("review", "✅ Approve"), "a"),
            button(t.pgettext("review", "❌ Reject"), "r"),
        ),
        (button(t.pgettext("review", "❓ Ask for more"), "m"),),
    ]
    if application.attachment_file_id:
        rows.append((button(t.pgettext("review", "📎 Attachment"), "f"),))
    return summary_text(t, application, heading), tuple(rows)


def render_card(t: Translator, application: Application, event: str) -> Rendered | None:
    """A queued card as it is sent; nothing once the application has been decided."""
    if application.status not in OPEN_STATUSES:
        return None
    reference = application.reference or ""
    heading = (
        t.pgettext("review", "<b>New application {reference}</b>", reference=reference)
        if event == "new"
        else t.pgettext(
            "review", "<b>{reference}: the applicant has answered</b>", reference=reference
        )
    )
    text, rows = card(t, application, heading)
    return Rendered(t.directional(text), rows)
