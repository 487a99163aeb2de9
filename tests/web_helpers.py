"""The web application of a running bot, driven in-process with httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from icalendar import Calendar, Event

from bot.context import IdeApplication
from bot.web.app import build_web

BASE_URL = "https://idebot.example.org"


@asynccontextmanager
async def web(app: IdeApplication) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_web(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def events(body: bytes) -> dict[str, Event]:
    """The feed's events by UID (it must parse as iCalendar)."""
    calendar = Calendar.from_ical(body)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}
