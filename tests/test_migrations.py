"""Migrations carry what people were in the middle of: a staff member's unfinished forum or
newsletter, a reviewer asked for a reason, an applicant halfway through the form."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from storage import migrate
from storage.db import Database
from storage.models import Conversation
from tests.conftest import scratch_postgres

AT = datetime(2026, 11, 29, 10, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database with no tables yet (not a copy of the migrated template)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    async with scratch_postgres(None) as url:
        yield url


async def test_unfinished_flows_become_conversations(empty_url: str) -> None:
    db = Database.connect(empty_url)
    try:
        for before in ("a9c3e5f7b1d2", "f0a1b2c3d4e5"):  # the two heads before conversations
            await migrate.upgrade(db.engine, before)
        async with db.engine.begin() as connection:
            for statement in (
                "INSERT INTO applications (id, applicant_id, language, status, step, editing,"
                " paused, no_number, created_at, updated_at) VALUES"
                " (7, 11, 'sv', 'draft', 'email', false, false, false, :at, :at),"
                " (8, 12, 'sv', 'draft', 'email', false, true, false, :at, :at)",
                "INSERT INTO staff_drafts (user_id, kind, step, forum_id, newsletter_id, data,"
                " updated_at) VALUES (900, 'forum', 'place', NULL, NULL, '{\"title\": \"Möte\"}',"
                " :at), (901, 'newsletter', 'ar', NULL, 3, '{}', :at)",
                "INSERT INTO pending_inputs (user_id, kind, application_id, created_at)"
                " VALUES (902, 'reject_reason', 7, :at)",
            ):
                await connection.execute(text(statement), {"at": AT})
        await migrate.upgrade(db.engine)

        async with db.transaction() as session:
            found = {c.user_id: c for c in await session.scalars(select(Conversation))}
    finally:
        await db.close()

    assert set(found) == {11, 900, 901, 902}, "a paused form (12) is no conversation"
    assert (found[11].flow, found[11].subject_id) == ("application", 7)
    assert (found[900].flow, found[900].step, found[900].data) == (
        "forum",
        "place",
        {"title": "Möte"},
    )
    assert (found[901].flow, found[901].subject_id) == ("newsletter", 3)
    assert found[901].data == {"language": "ar"}
    assert (found[902].flow, found[902].subject_id) == ("reject_reason", 7)
