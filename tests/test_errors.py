"""When a handler fails, the person hears about it in their language and nothing is lost."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select, text

from bot.context import IdeApplication
from bot.local_api import LocalBotApi, LocalUser
from storage.models import User


async def test_a_failed_update_is_logged_with_its_id_and_the_user_is_told(
    app: IdeApplication,
    api: LocalBotApi,
    person: Callable[..., LocalUser],
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = person(55, language_code="fi")
    await user.send("/start")
    await user.send("/subscribe")  # something of theirs is kept
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        await session.execute(text("DROP TABLE questions"))  # asking can no longer work

    replies = await user.send("Mikä on IOP?")

    failures = [r for r in caplog.records if r.levelname == "ERROR" and "failed" in r.message]
    assert failures
    assert failures[0].exc_info is not None
    assert "update " in failures[0].message
    assert failures[0].message.split()[1].isdigit(), "the log names the update id"
    assert len(replies) == 1
    finnish = app.bot_data.i18n.translator("fi")  # type: ignore[union-attr]
    apology = finnish.pgettext(
        "errors",
        "Sorry, something went wrong on our side. Nothing you saved before is lost; "
        "please try again in a moment.",
    )
    assert replies[0].text == apology
    assert apology.startswith("Anteeksi"), "in the person's language"
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        assert await session.scalar(select(User.language).where(User.telegram_id == 55)) == "fi"
