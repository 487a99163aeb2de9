"""The application form's wording: prompts, field names, choices, errors and the summary."""

from __future__ import annotations

from markupsafe import Markup, escape

from bot import applications as form
from bot.applications import Field, Problem
from bot.i18n import Translator
from storage.models import Application

MAX_PDF_MB = form.MAX_PDF_BYTES // (1024 * 1024)


def prompt(t: Translator, field: Field, retention_days: int) -> str:
    low, high = form.LIMITS.get(field, (0, 0))
    texts = {
        Field.ORG_NAME: t.pgettext("apply", "What is the name of your organisation?"),
        Field.ORG_NUMBER: t.pgettext(
            "apply",
            "What is your organisation number (organisationsnummer)? 10 digits, for example "
            "802456-1234.",
        ),
        Field.NO_NUMBER_REASON: t.pgettext(
            "apply",
            "Tell us briefly why the organisation has no organisation number (for example: "
            "newly started, or an informal group).",
        ),
        Field.ORG_FORM: t.pgettext("apply", "What form of organisation is it?"),
        Field.AREA: t.pgettext(
            "apply", "What is your main area of activity? Choose one, or write your own."
        ),
        Field.DESCRIPTION: t.pgettext(
            "apply",
            "Describe briefly what your organisation does and why you want to join the "
            "agreement ({low}–{high} characters).",
            low=low,
            high=high,
        ),
        Field.CONTACT_NAME: t.pgettext("apply", "What is the contact person's name?"),
        Field.CONTACT_ROLE: t.pgettext(
            "apply",
            "What is the contact person's role in the organisation (for example chair or "
            "secretary)?",
        ),
        Field.EMAIL: t.pgettext("apply", "The contact person's e-mail address?"),
        Field.PHONE: t.pgettext("apply", "A phone number (optional)?"),
        Field.WEBSITE: t.pgettext("apply", "Your website (optional)?"),
        Field.LANGUAGES: t.pgettext(
            "apply",
            "Which languages does your organisation work in (optional)? For example: "
            "Swedish, Arabic, Somali.",
        ),
        Field.ATTACHMENT: t.pgettext(
            "apply",
            "You may attach a signed application or your statutes as a PDF file (at most "
            "{size} MB), or skip this step.",
            size=MAX_PDF_MB,
        ),
        Field.CONSENT: consent_statement(t, retention_days),
        Field.PUBLIC: t.pgettext(
            "apply",
            "May your organisation appear in the public list of organisations that have "
            "signed (name, area of activity and since when)?",
        ),
    }
    return texts[field]


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
    labels = {
        Field.ORG_NAME: t.pgettext("apply", "Organisation"),
        Field.ORG_NUMBER: t.pgettext("apply", "Organisation number"),
        Field.NO_NUMBER_REASON: t.pgettext("apply", "Why no organisation number"),
        Field.ORG_FORM: t.pgettext("apply", "Form of organisation"),
        Field.AREA: t.pgettext("apply", "Area of activity"),
        Field.DESCRIPTION: t.pgettext("apply", "Activity and reason to join"),
        Field.CONTACT_NAME: t.pgettext("apply", "Contact person"),
        Field.CONTACT_ROLE: t.pgettext("apply", "Role"),
        Field.EMAIL: t.pgettext("apply", "E-mail"),
        Field.PHONE: t.pgettext("apply", "Phone"),
        Field.WEBSITE: t.pgettext("apply", "Website"),
        Field.LANGUAGES: t.pgettext("apply", "Languages"),
        Field.ATTACHMENT: t.pgettext("apply", "Attachment"),
        Field.CONSENT: t.pgettext("apply", "Consent"),
        Field.PUBLIC: t.pgettext("apply", "In the public register"),
    }
    return labels[field]


def choice_label(t: Translator, field: Field, code: str) -> str:
    labels = {
        "ideell-forening": t.pgettext("apply", "Non-profit association (ideell förening)"),
        "stiftelse": t.pgettext("apply", "Foundation (stiftelse)"),
        "trossamfund": t.pgettext("apply", "Faith community (trossamfund)"),
        "ekonomisk-forening": t.pgettext("apply", "Cooperative (ekonomisk förening)"),
        "culture": t.pgettext("apply", "Culture"),
        "sport": t.pgettext("apply", "Sport and leisure"),
        "social": t.pgettext("apply", "Social work and welfare"),
        "education": t.pgettext("apply", "Education and study circles"),
        "faith": t.pgettext("apply", "Faith and religion"),
        "environment": t.pgettext("apply", "Environment"),
        "integration": t.pgettext("apply", "Integration and language"),
        "children-youth": t.pgettext("apply", "Children and young people"),
        "other": t.pgettext("apply", "Other"),
    }
    return labels.get(code, code)


def problem_text(t: Translator, field: Field, problem: Problem | None, given: str) -> str:
    low, high = form.LIMITS.get(field, (0, 0))
    texts = {
        Problem.TOO_SHORT: t.pgettext(
            "apply", "That is too short: please write at least {low} characters.", low=low
        ),
        Problem.TOO_LONG: t.pgettext(
            "apply",
            "That is too long: at most {high} characters, and yours has {length}. Nothing "
            "was saved; please shorten it.",
            high=high,
            length=len(given),
        ),
        Problem.SYMBOLS: t.pgettext(
            "apply",
            "Please use letters, digits and ordinary punctuation only (no emoji or &lt; &gt;).",
        ),
        Problem.ORG_NUMBER_FORMAT: t.pgettext(
            "apply", "An organisation number has 10 digits, for example 802456-1234."
        ),
        Problem.ORG_NUMBER_CHECK: t.pgettext(
            "apply",
            "That organisation number is not valid: its last digit does not match. Please "
            "check for a typo.",
        ),
        Problem.EMAIL: t.pgettext(
            "apply", "That does not look like an e-mail address, for example name@example.se."
        ),
        Problem.PHONE: t.pgettext(
            "apply", "That does not look like a phone number, for example 070-123 45 67."
        ),
        Problem.WEBSITE: t.pgettext(
            "apply", "That does not look like a web address, for example www.example.se."
        ),
        Problem.NOT_PDF: t.pgettext("apply", "Only PDF files can be attached."),
        Problem.PDF_TOO_BIG: t.pgettext(
            "apply", "The file is too big: at most {size} MB.", size=MAX_PDF_MB
        ),
    }
    return texts[problem] if problem else ""


def value_text(t: Translator, application: Application, field: Field) -> str:  # noqa: PLR0911
    """A field's value as the summary and reviewers show it."""
    if field is Field.ORG_NUMBER:
        if application.no_number:
            return t.pgettext("apply", "none")
        return form.format_org_number(application.org_number) if application.org_number else "–"
    if field in form.CHOICES:
        code = getattr(application, field.value)
        return choice_label(t, field, code) if code in form.CHOICES[field] else code or "–"
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
