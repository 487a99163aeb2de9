"""The application form's wording: prompts, field names, choices, errors and the summary."""

from __future__ import annotations

from markupsafe import Markup, escape

from bot import applications as form
from bot.application_form import Duplicate
from bot.applications import Field, Problem
from bot.i18n import LazyText, Translator, lazy_pgettext
from storage.models import Application, Member

MAX_PDF_MB = form.MAX_PDF_BYTES // (1024 * 1024)

# What each field is asked with (the consent statement has a function of its own), what it
# is called in the summary, how each choice reads, and why an answer was refused; filled in
# with the field's limits where the text names them.
PROMPTS: dict[Field, LazyText] = {
    Field.ORG_NAME: lazy_pgettext("apply", "What is the name of your organisation?"),
    Field.ORG_NUMBER: lazy_pgettext(
        "apply",
        "What is your organisation number (organisationsnummer)? 10 digits, for example "
        "802456-1234.",
    ),
    Field.NO_NUMBER_REASON: lazy_pgettext(
        "apply",
        "Tell us briefly why the organisation has no organisation number (for example: "
        "newly started, or an informal group).",
    ),
    Field.ORG_FORM: lazy_pgettext("apply", "What form of organisation is it?"),
    Field.AREA: lazy_pgettext(
        "apply", "What is your main area of activity? Choose one, or write your own."
    ),
    Field.DESCRIPTION: lazy_pgettext(
        "apply",
        "Describe briefly what your organisation does and why you want to join the "
        "agreement ({low}–{high} characters).",
    ),
    Field.CONTACT_NAME: lazy_pgettext("apply", "What is the contact person's name?"),
    Field.CONTACT_ROLE: lazy_pgettext(
        "apply",
        "What is the contact person's role in the organisation (for example chair or secretary)?",
    ),
    Field.EMAIL: lazy_pgettext("apply", "The contact person's e-mail address?"),
    Field.PHONE: lazy_pgettext("apply", "A phone number (optional)?"),
    Field.WEBSITE: lazy_pgettext("apply", "Your website (optional)?"),
    Field.LANGUAGES: lazy_pgettext(
        "apply",
        "Which languages does your organisation work in (optional)? For example: "
        "Swedish, Arabic, Somali.",
    ),
    Field.ATTACHMENT: lazy_pgettext(
        "apply",
        "You may attach a signed application or your statutes as a PDF file (at most "
        "{size} MB), or skip this step.",
    ),
    Field.PUBLIC: lazy_pgettext(
        "apply",
        "May your organisation appear in the public list of organisations that have "
        "signed (name, area of activity and since when)?",
    ),
}

FIELD_LABELS: dict[Field, LazyText] = {
    Field.ORG_NAME: lazy_pgettext("apply", "Organisation"),
    Field.ORG_NUMBER: lazy_pgettext("apply", "Organisation number"),
    Field.NO_NUMBER_REASON: lazy_pgettext("apply", "Why no organisation number"),
    Field.ORG_FORM: lazy_pgettext("apply", "Form of organisation"),
    Field.AREA: lazy_pgettext("apply", "Area of activity"),
    Field.DESCRIPTION: lazy_pgettext("apply", "Activity and reason to join"),
    Field.CONTACT_NAME: lazy_pgettext("apply", "Contact person"),
    Field.CONTACT_ROLE: lazy_pgettext("apply", "Role"),
    Field.EMAIL: lazy_pgettext("apply", "E-mail"),
    Field.PHONE: lazy_pgettext("apply", "Phone"),
    Field.WEBSITE: lazy_pgettext("apply", "Website"),
    Field.LANGUAGES: lazy_pgettext("apply", "Languages"),
    Field.ATTACHMENT: lazy_pgettext("apply", "Attachment"),
    Field.CONSENT: lazy_pgettext("apply", "Consent"),
    Field.PUBLIC: lazy_pgettext("apply", "In the public register"),
}

CHOICE_LABELS: dict[str, LazyText] = {
    "ideell-forening": lazy_pgettext("apply", "Non-profit association (ideell förening)"),
    "stiftelse": lazy_pgettext("apply", "Foundation (stiftelse)"),
    "trossamfund": lazy_pgettext("apply", "Faith community (trossamfund)"),
    "ekonomisk-forening": lazy_pgettext("apply", "Cooperative (ekonomisk förening)"),
    "culture": lazy_pgettext("apply", "Culture"),
    "sport": lazy_pgettext("apply", "Sport and leisure"),
    "social": lazy_pgettext("apply", "Social work and welfare"),
    "education": lazy_pgettext("apply", "Education and study circles"),
    "faith": lazy_pgettext("apply", "Faith and religion"),
    "environment": lazy_pgettext("apply", "Environment"),
    "integration": lazy_pgettext("apply", "Integration and language"),
    "children-youth": lazy_pgettext("apply", "Children and young people"),
    "other": lazy_pgettext("apply", "Other"),
}

PROBLEMS: dict[Problem, LazyText] = {
    Problem.TOO_SHORT: lazy_pgettext(
        "apply", "That is too short: please write at least {low} characters."
    ),
    Problem.TOO_LONG: lazy_pgettext(
        "apply",
        "That is too long: at most {high} characters, and yours has {length}. Nothing "
        "was saved; please shorten it.",
    ),
    Problem.SYMBOLS: lazy_pgettext(
        "apply",
        "Please use letters, digits and ordinary punctuation only (no emoji or &lt; &gt;).",
    ),
    Problem.ORG_NUMBER_FORMAT: lazy_pgettext(
        "apply", "An organisation number has 10 digits, for example 802456-1234."
    ),
    Problem.ORG_NUMBER_CHECK: lazy_pgettext(
        "apply",
        "That organisation number is not valid: its last digit does not match. Please "
        "check for a typo.",
    ),
    Problem.EMAIL: lazy_pgettext(
        "apply", "That does not look like an e-mail address, for example name@example.se."
    ),
    Problem.PHONE: lazy_pgettext(
        "apply", "That does not look like a phone number, for example 070-123 45 67."
    ),
    Problem.WEBSITE: lazy_pgettext(
        "apply", "That does not look like a web address, for example www.example.se."
    ),
    Problem.NOT_PDF: lazy_pgettext("apply", "Only PDF files can be attached."),
    Problem.PDF_TOO_BIG: lazy_pgettext("apply", "The file is too big: at most {size} MB."),
}


def prompt(t: Translator, field: Field, retention_days: int) -> str:
    if field is Field.CONSENT:
        return consent_statement(t, retention_days)
    low, high = form.LIMITS.get(field, (0, 0))
    text = PROMPTS[field]
    return t.pgettext(text.context, text.message, low=low, high=high, size=MAX_PDF_MB)


def consent_statement(t: Translator, retention_days: int) -> str:
    return t.pgettext(
        "apply",
        "<b>Your data</b>\n\nThe municipality stores what you entered here to handle the "
        "application and to keep the register of organisations that have signed the "
        "agreement. The contact details are used only to contact you about the "
        "agreement. A draft that is not submitted is deleted after {days} days; you can see "
        "and delete your data at any time with /mydata and /deletemydata.\n\nDo you agree?",
        days=retention_days,
    )


def field_label(t: Translator, field: Field) -> str:
    return t.lazy(FIELD_LABELS[field])


def choice_label(t: Translator, code: str) -> str:
    label = CHOICE_LABELS.get(code)
    return t.lazy(label) if label else code


def problem_text(t: Translator, field: Field, problem: Problem, given: str) -> str:
    low, high = form.LIMITS.get(field, (0, 0))
    text = PROBLEMS[problem]
    return t.pgettext(
        text.context, text.message, low=low, high=high, length=len(given), size=MAX_PDF_MB
    )


def value_text(t: Translator, application: Application, field: Field) -> str:  # noqa: PLR0911
    """A field's value as the summary and reviewers show it."""
    if field is Field.ORG_NUMBER:
        if application.no_number:
            return t.pgettext("apply", "none")
        return form.format_org_number(application.org_number) if application.org_number else "–"
    if field in form.CHOICES:
        code = getattr(application, field.value)
        return choice_label(t, code) if code in form.CHOICES[field] else code or "–"
    if field is Field.ATTACHMENT:
        return application.attachment_name or "–"
    if field is Field.CONSENT:
        return t.pgettext("apply", "given") if application.consent_at else "–"
    if field is Field.PUBLIC:
        if application.public is None:
            return "–"
        return t.pgettext("apply", "yes") if application.public else t.pgettext("apply", "no")
    value = getattr(application, field.value)
    return str(value) if value else "–"


def summary_text(t: Translator, application: Application, heading: str | None = None) -> str:
    lines = [heading or t.pgettext("apply", "<b>Your application</b> — please check it:"), ""]
    for field in form.ORDER:
        if field is Field.NO_NUMBER_REASON and not application.no_number:
            continue
        label = escape(field_label(t, field))
        line = Markup("<b>{}:</b> {}").format(label, value_text(t, application, field))
        lines.append(line)
    return "\n".join(str(line) for line in lines)


def duplicate_text(t: Translator, duplicate: Duplicate) -> str:
    """Why this organisation need not apply: it has joined, or is being reviewed."""
    if isinstance(duplicate, Member):
        return t.pgettext(
            "apply",
            "{name} has already joined the agreement (since {date}). No need to apply again.",
            name=duplicate.name,
            date=t.date(duplicate.joined_on),
        )
    return t.pgettext(
        "apply",
        "An application for this organisation number is already being reviewed "
        "(reference {reference}, submitted {date}). You will hear from us; there is no "
        "need to apply again.",
        reference=duplicate.reference or "",
        date=t.datetime(duplicate.submitted_at or duplicate.created_at, "d MMM y"),
    )
