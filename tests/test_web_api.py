"""Open data over HTTP: the public part of the register as JSON and CSV (only organisations
that agreed to be public and have not left), and the published forums."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from bot.register_export import read_csv
from storage import applications
from tests.forum_helpers import started
from tests.web_helpers import BASE_URL, web

REGISTER = (  # name, organisation number, area, joined, public, left
    ("Södertälje Schackklubb", "8024001234", "Kultur", date(2026, 3, 1), True, None),
    ("Föreningen Ärlig Kaffe", None, None, date(2026, 4, 2), True, None),
    ("Hemliga sällskapet", "8024005678", "Idrott", date(2026, 5, 3), False, None),
    ("Gamla klubben", "8024009999", "Fritid", date(2025, 1, 4), True, date(2026, 6, 1)),
    ("aktiva mammor", "8024001111", "Socialt", date(2026, 6, 5), True, None),
)
PUBLIC = [
    {"name": "aktiva mammor", "org_number": "8024001111", "area": "Socialt",
     "joined_on": "2026-06-05", "joined_via": "application"},
    {"name": "Föreningen Ärlig Kaffe", "org_number": None, "area": None,
     "joined_on": "2026-04-02", "joined_via": "application"},
    {"name": "Södertälje Schackklubb", "org_number": "8024001234", "area": "Kultur",
     "joined_on": "2026-03-01", "joined_via": "application"},
]  # fmt: skip


async def test_the_open_register_is_the_public_register_without_those_who_left(
    database_url: str, tmp_path: Path
) -> None:
    async with (
        started(database_url, tmp_path, web_base_url=BASE_URL) as bot,
        web(bot.app) as client,
    ):
        async with bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
            for name, number, area, joined, public, left in REGISTER:
                member = await applications.add_member(
                    session, name=name, org_number=number, area=area, joined_on=joined,
                    joined_via="application", public=public,
                )  # fmt: skip
                member.left_on = left
        as_json = await client.get("/api/register.json")
        as_csv = await client.get("/api/register.csv")
        again = await client.get(
            "/api/register.json", headers={"If-None-Match": as_json.headers["etag"]}
        )

    assert as_json.status_code == 200
    data = json.loads(as_json.content)
    assert data["organisations"] == PUBLIC
    assert data["count"] == len(PUBLIC)
    assert data["licence"] == "CC0-1.0"
    assert as_json.headers["access-control-allow-origin"] == "*"
    assert again.status_code == 304
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = read_csv(as_csv.content)
    assert [{k: v or None for k, v in row.items()} for row in rows] == PUBLIC
    assert "Hemliga" not in as_csv.text
    assert "Gamla klubben" not in as_csv.text


async def test_the_forums_as_open_data(database_url: str, tmp_path: Path) -> None:
    async with (
        started(
            database_url, tmp_path, web_base_url=BASE_URL, open_data_licence="CC-BY-4.0"
        ) as bot,
        web(bot.app) as client,
    ):
        await bot.create_forum(title="Utkast")
        published = await bot.announced(title="Forum om lokaler", capacity=40)
        cancelled = await bot.announced(title="Inställt forum")
        await bot.reimport(cancelled, cancelled=True)
        response = await client.get("/api/forums.json")

    data = json.loads(response.content)
    assert data["licence"] == "CC-BY-4.0"
    assert data["calendar"] == f"{BASE_URL}/calendar.ics"
    by_id = {forum["id"]: forum for forum in data["forums"]}
    assert set(by_id) == {published, cancelled}, "no drafts"
    forum = by_id[published]
    assert forum["titles"] == {"sv": "Forum om lokaler"}
    assert forum["status"] == "published"
    assert forum["capacity"] == 40
    assert forum["page"] == f"{BASE_URL}/forums/{published}"
    assert by_id[cancelled]["status"] == "cancelled"
