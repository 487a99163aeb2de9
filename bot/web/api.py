"""Open data: the public part of the register (/api/register.json, /api/register.csv) and
the forums (/api/forums.json), under the licence the municipality chose
(OPEN_DATA_LICENCE). Only organisations that agreed to be public and have not left are in
it; no person's data is."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.context import IdeApplication
from bot.register_export import open_register, open_register_csv
from bot.web import bot_of
from bot.web.caching import cached
from bot.web.feeds import WINDOW, forum_page, invitations
from bot.web.services import db_of, settings_of
from storage import applications
from storage import forums as repo

LICENCES = {
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
}
OPEN = {"Access-Control-Allow-Origin": "*"}  # any web page may read open data


def _about(bot: IdeApplication) -> dict[str, str]:
    licence = settings_of(bot).open_data_licence
    return {"licence": licence, "licence_url": LICENCES[licence]}


def _json(request: Request, data: dict[str, Any]) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=1).encode()
    response = cached(request, body, "application/json")
    response.headers.update(OPEN)
    return response


async def register_json(request: Request) -> Response:
    bot = bot_of(request)
    async with db_of(bot).transaction() as session:
        members = await applications.open_register(session)
    organisations = open_register(members)
    return _json(
        request, {**_about(bot), "count": len(organisations), "organisations": organisations}
    )


async def register_csv(request: Request) -> Response:
    """Semicolons and UTF-8 with a byte-order mark, as the staff's /export: it opens right
    in Swedish spreadsheet programs."""
    async with db_of(bot_of(request)).transaction() as session:
        members = await applications.open_register(session)
    response = cached(request, open_register_csv(members), "text/csv; charset=utf-8")
    response.headers.update(OPEN)
    response.headers["Content-Disposition"] = 'inline; filename="register.csv"'
    return response


async def forums_json(request: Request) -> Response:
    """Published forums, upcoming and of the last year (cancelled ones say so)."""
    bot = bot_of(request)
    async with db_of(bot).transaction() as session:
        found = await repo.in_calendar(session, bot.bot_data.clock() - WINDOW)
        invited = await invitations(session, bot, [forum.id for forum in found])
    forums = [
        {
            "id": forum.id,
            "uid": forum.uid,
            "status": forum.status,
            "sequence": forum.sequence,
            "starts_at": forum.starts_at.isoformat(),
            "ends_at": forum.ends_at.isoformat(),
            "titles": forum.titles,
            "descriptions": forum.descriptions,
            "place": forum.place,
            "online": forum.link,
            "capacity": forum.capacity,
            "page": forum_page(bot, forum.id),
            "invitation": invited.get(forum.id),
        }
        for forum in found
    ]
    calendar = f"{settings_of(bot).public_url}/calendar.ics"
    return _json(request, {**_about(bot), "calendar": calendar, "forums": forums})


ROUTES = [
    Route("/api/register.json", register_json, methods=["GET"]),
    Route("/api/register.csv", register_csv, methods=["GET"]),
    Route("/api/forums.json", forums_json, methods=["GET"]),
]
