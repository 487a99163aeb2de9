"""The written application to join: its fields, their order and their validation.

Plain values in, plain values out: the form (`bot.application_form`) asks for each field in
turn, and the chat shows the problem's translation when a value is refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.exceptions import ValidationError as NumberError
from stdnum.se import orgnr

from bot.text import clean_line, clean_paragraphs

MAX_PDF_BYTES = 10 * 1024 * 1024
ALLOWED_FORMATTING = {"\u200c", "\u200d"}  # joiners that Persian and Arabic script need


class Field(StrEnum):
    ORG_NAME = "org_name"
    ORG_NUMBER = "org_number"
    NO_NUMBER_REASON = "no_number_reason"
    ORG_FORM = "org_form"
    AREA = "area"
    DESCRIPTION = "description"
    CONTACT_NAME = "contact_name"
    CONTACT_ROLE = "contact_role"
    EMAIL = "email"
    PHONE = "phone"
    WEBSITE = "website"
    LANGUAGES = "languages"
    ATTACHMENT = "attachment"
    CONSENT = "consent"
    PUBLIC = "public"


ORDER: tuple[Field, ...] = tuple(Field)
OPTIONAL = frozenset({Field.PHONE, Field.WEBSITE, Field.LANGUAGES, Field.ATTACHMENT})
BUTTON_ONLY = frozenset({Field.ORG_FORM, Field.CONSENT, Field.PUBLIC})  # no written answer
NAME_LIKE = frozenset({Field.ORG_NAME, Field.CONTACT_NAME})  # no emoji or symbols
CHOICES: dict[Field, tuple[str, ...]] = {
    Field.ORG_FORM: ("ideell-forening", "stiftelse", "trossamfund", "ekonomisk-forening", "other"),
    Field.AREA: (
        "culture", "sport", "social", "education", "faith", "environment", "integration",
        "children-youth", "other",
    ),
}  # fmt: skip
ORG_FORM_SWEDISH = {
    "ideell-forening": "ideell förening",
    "stiftelse": "stiftelse",
    "trossamfund": "trossamfund",
    "ekonomisk-forening": "ekonomisk förening/kooperativ",
    "other": "annan",
}
LIMITS: dict[Field, tuple[int, int]] = {
    Field.ORG_NAME: (2, 150),
    Field.NO_NUMBER_REASON: (10, 500),
    Field.AREA: (2, 100),
    Field.DESCRIPTION: (20, 1000),
    Field.CONTACT_NAME: (2, 100),
    Field.CONTACT_ROLE: (2, 100),
    Field.LANGUAGES: (2, 200),
}


class Problem(StrEnum):
    """Why a value was refused; the handlers translate each."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    SYMBOLS = "symbols"
    ORG_NUMBER_FORMAT = "org_number_format"
    ORG_NUMBER_CHECK = "org_number_check"
    EMAIL = "email"
    PHONE = "phone"
    WEBSITE = "website"
    NOT_PDF = "not_pdf"
    PDF_TOO_BIG = "pdf_too_big"


@dataclass(frozen=True)
class Checked:
    value: str | None = None
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def next_field(current: Field | None, has_number: bool) -> Field | None:
    """The field after `current` (None: the first), skipping the no-number reason when an
    organisation number was given. None after the last field."""
    index = -1 if current is None else ORDER.index(current)
    for field in ORDER[index + 1 :]:
        if field is Field.NO_NUMBER_REASON and has_number:
            continue
        return field
    return None


def previous_field(current: Field, has_number: bool) -> Field | None:
    index = ORDER.index(current)
    for field in reversed(ORDER[:index]):
        if field is Field.NO_NUMBER_REASON and has_number:
            continue
        return field
    return None


def check_answer(field: Field, raw: str) -> Checked:
    """A written answer to `field`, checked as that field requires."""
    if field is Field.ORG_NUMBER:
        return check_org_number(raw)
    if field is Field.EMAIL:
        return check_email(raw)
    if field is Field.PHONE:
        return check_phone(raw)
    if field is Field.WEBSITE:
        return check_website(raw)
    return check_text(field, raw, name_like=field in NAME_LIKE)


def check_text(field: Field, raw: str, *, name_like: bool = False) -> Checked:
    text = clean_line(raw) if field is not Field.DESCRIPTION else clean_paragraphs(raw)
    low, high = LIMITS[field]
    if len(text) < low:
        return Checked(problem=Problem.TOO_SHORT)
    if len(text) > high:
        return Checked(problem=Problem.TOO_LONG)
    if name_like and not _name_characters(text):
        return Checked(problem=Problem.SYMBOLS)
    return Checked(text)


def check_org_number(raw: str) -> Checked:
    """A Swedish organisationsnummer: 10 digits, optional hyphen, optional century (16, 19,
    20); the last digit is a Luhn check digit. Stored as 10 digits."""
    digits = re.sub(r"[\s\-+]", "", raw)
    if not digits.isdigit() or len(digits) not in (10, 12):
        return Checked(problem=Problem.ORG_NUMBER_FORMAT)
    if len(digits) == 12:
        if digits[:2] not in {"16", "19", "20"}:
            return Checked(problem=Problem.ORG_NUMBER_FORMAT)
        digits = digits[2:]
    try:
        return Checked(orgnr.validate(digits))
    except NumberError:
        return Checked(problem=Problem.ORG_NUMBER_CHECK)


def format_org_number(digits: str) -> str:
    return f"{digits[:6]}-{digits[6:]}"


def check_email(raw: str) -> Checked:
    try:
        found = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError:
        return Checked(problem=Problem.EMAIL)
    if len(found.normalized) > 254:
        return Checked(problem=Problem.EMAIL)
    return Checked(found.normalized)


def check_phone(raw: str) -> Checked:
    """Any valid number, Swedish unless it has a country code; stored as E.164."""
    try:
        number = phonenumbers.parse(raw.strip(), "SE")
    except phonenumbers.NumberParseException:
        return Checked(problem=Problem.PHONE)
    if not phonenumbers.is_valid_number(number):
        return Checked(problem=Problem.PHONE)
    return Checked(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def check_website(raw: str) -> Checked:
    text = raw.strip()
    if not re.match(r"^https?://", text, re.IGNORECASE):
        text = "https://" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:  # e.g. a pasted markdown link: "[site](https://…)"
        return Checked(problem=Problem.WEBSITE)
    if (
        len(text) > 200
        or " " in text
        or "." not in host
        or not all(label and re.fullmatch(r"[\w-]+", label) for label in host.split("."))
    ):
        return Checked(problem=Problem.WEBSITE)
    return Checked(text)


def check_pdf(filename: str | None, mime_type: str | None, size: int | None) -> Checked:
    is_pdf = (mime_type or "").lower() == "application/pdf"
    if not is_pdf and not (filename or "").lower().endswith(".pdf"):
        return Checked(problem=Problem.NOT_PDF)
    if size is None or size > MAX_PDF_BYTES:
        return Checked(problem=Problem.PDF_TOO_BIG)
    return Checked(filename or "application.pdf")


def reference(application_id: int, year: int) -> str:
    return f"IDE-{year}-{application_id:04d}"


def _name_characters(text: str) -> bool:
    """Letters, marks, digits, spaces and punctuation; no emoji, symbols or < >."""
    for char in text:
        category = unicodedata.category(char)
        if category[0] in "LMN" or char == " " or char in ALLOWED_FORMATTING:
            continue
        if category[0] == "P" and char not in "<>":
            continue
        return False
    return True
