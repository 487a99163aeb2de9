"""CSV exports of the register and the applications, for spreadsheet programs.

UTF-8 with a byte-order mark, so Excel and LibreOffice open å, ä, ö and Arabic correctly;
semicolons, as Swedish spreadsheet programs expect.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

from storage.models import Application, Member

BOM = "\ufeff"
MEMBER_COLUMNS = (
    "name", "org_number", "area", "joined_on", "joined_via", "public", "left_on",
)  # fmt: skip
OPEN_COLUMNS = ("name", "org_number", "area", "joined_on", "joined_via")  # the open data
APPLICATION_COLUMNS = (
    "reference", "status", "org_name", "org_number", "no_number_reason", "org_form", "area",
    "description", "contact_name", "contact_role", "email", "phone", "website", "languages",
    "attachment_name", "public", "submitted_at", "decided_at", "decision_reason",
)  # fmt: skip
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def members_csv(members: Iterable[Member]) -> bytes:
    return table_csv(MEMBER_COLUMNS, ([getattr(m, c) for c in MEMBER_COLUMNS] for m in members))


def open_register(members: Iterable[Member]) -> list[dict[str, str | None]]:
    """The public part of the register, one dict per organisation (the open data)."""
    return [
        {column: _open_value(getattr(member, column)) for column in OPEN_COLUMNS}
        for member in members
    ]


def open_register_csv(members: Iterable[Member]) -> bytes:
    rows = open_register(members)
    return table_csv(OPEN_COLUMNS, ([row[c] for c in OPEN_COLUMNS] for row in rows))


def applications_csv(applications: Iterable[Application]) -> bytes:
    rows = ([getattr(a, c) for c in APPLICATION_COLUMNS] for a in applications)
    return table_csv(APPLICATION_COLUMNS, rows)


def read_csv(data: bytes) -> list[dict[str, str]]:
    """The inverse, for checking an export (and for tests)."""
    text = data.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM)), delimiter=";"))


def table_csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def _open_value(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _cell(value: object) -> str:
    """Plain text; a value that a spreadsheet would run as a formula is quoted with '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
