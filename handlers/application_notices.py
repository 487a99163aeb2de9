"""What an applicant is told about their application. Queued in the outbox in the same
transaction as the decision, and worded when sent, in the applicant's language then."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.i18n import Translator

APPLICATION = "application"  # the outbox kind


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
