"""Calendar feeds: every published forum (/calendar.ics, in the language asked for), and a
person's own (/calendar/<token>.ics: the forums they will come to or wait for, in their
language). Calendar apps look again every so often (we suggest hourly); a new time or a
cancellation reaches them then, with the same UID and a higher SEQUENCE."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Event
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.context import IdeApplication
from bot.forums.rules import text_in
from bot.i18n import Translator
from bot.ical import EventText, calendar_ics, forum_event
from bot.links import LinkKind, start_url
from bot.web import bot_of
from bot.web.caching import cached
from bot.web.services import db_of, i18n_of, settings_of
from storage import forums as repo
from storage import links, users
from storage.forums import CANCELLED, WAITLIST
from storage.models import Forum

ICS = "text/calendar; charset=utf-8"
WINDOW = timedelta(days=365)  # past forums stay in the feeds this long
REFRESH = timedelta(hours=1)  # how often we ask calendar apps to look again


@dataclass(frozen=True)
class Feed:
    body: bytes
    last_modified: datetime | None


def forum_page(bot: IdeApplication, forum_id: int) -> str:
    """The forum's public web page."""
    return f"{settings_of(bot).public_url}/forums/{forum_id}"


def feed_url(bot: IdeApplication, token: str) -> str:
    """The https (or http) address of a person's feed."""
    return f"{settings_of(bot).public_url}/calendar/{token}.ics"


def subscribe_url(bot: IdeApplication, token: str) -> str:
    """An http(s) address that sends the browser on to the feed's webcal:// address, which
    opens the calendar app (Telegram's buttons take only http and https)."""
    return f"{settings_of(bot).public_url}/calendar/{token}"


async def invitations(
    session: AsyncSession, bot: IdeApplication, forum_ids: Iterable[int]
) -> dict[int, str]:
    """The forums' invitation links (t.me links that open them in the bot), where made."""
    tokens = await links.current_tokens(session, LinkKind.FORUM, forum_ids)
    return {forum_id: start_url(bot.bot.username, token) for forum_id, token in tokens.items()}


async def public_feed(bot: IdeApplication, language: str | None) -> Feed:
    t = i18n_of(bot).translator(language)
    async with db_of(bot).transaction() as session:
        forums = await repo.in_calendar(session, bot.bot_data.clock() - WINDOW)
        invited = await invitations(session, bot, [forum.id for forum in forums])
    events = [_event(bot, t, forum, invited.get(forum.id)) for forum in forums]
    name = _plain(t.pgettext("calendar", "Dialogue forums"))
    body = calendar_ics(events, settings_of(bot).zone, name=name, refresh=REFRESH)
    return Feed(body, max((_stamp(forum) for forum in forums), default=None))


async def personal_feed(bot: IdeApplication, token: str) -> Feed | None:
    """The person's feed; None for a token that is unknown, revoked or not a feed's."""
    async with db_of(bot).transaction() as session:
        link = await links.find(session, token)
        if link is None or link.kind != LinkKind.CALENDAR or link.revoked_at is not None:
            return None
        person = await users.get_user(session, link.subject_id)
        t = i18n_of(bot).translator(person.language if person else None)
        attending = await repo.attending(session, link.subject_id, bot.bot_data.clock() - WINDOW)
        invited = await invitations(session, bot, [forum.id for forum, _ in attending])
        answered = await repo.last_answer(session, link.subject_id)
    events = [
        _event(bot, t, forum, invited.get(forum.id), waitlisted=rsvp.status == WAITLIST)
        for forum, rsvp in attending
    ]
    name = _plain(t.pgettext("calendar", "My dialogue forums"))
    body = calendar_ics(events, settings_of(bot).zone, name=name, refresh=REFRESH)
    stamps = [_stamp(forum) for forum, _ in attending] + [link.created_at]
    if answered is not None:
        stamps.append(answered)
    return Feed(body, max(stamps))


def _event(
    bot: IdeApplication,
    t: Translator,
    forum: Forum,
    invited: str | None,
    *,
    waitlisted: bool = False,
) -> Event:
    """The forum in the reader's language: the title (marked when cancelled or on the
    waitlist), then notes, the description, and where to answer and read more."""
    title, description, fell_back = text_in(forum, t.language)
    if forum.status == CANCELLED:
        summary = t.pgettext("calendar", "Cancelled: {title}", title=title)
    elif waitlisted:
        summary = t.pgettext("calendar", "⏳ Waitlist: {title}", title=title)
    else:
        summary = title
    parts = []
    if waitlisted and forum.status != CANCELLED:
        parts.append(
            t.pgettext(
                "calendar",
                "You are on the waitlist. You will be told in Telegram if a place opens up.",
            )
        )
    if fell_back:
        parts.append(
            t.pgettext(
                "calendar", "This forum has no text in your language yet; here it is in Swedish."
            )
        )
    parts += [description, forum.link or ""]
    if invited:
        parts.append(t.pgettext("calendar", "Answer in Telegram: {link}", link=invited))
    page = forum_page(bot, forum.id)
    parts.append(t.pgettext("calendar", "More about the forum: {link}", link=page))
    details = "\n\n".join(_plain(part) for part in parts if part)
    text = EventText(_plain(summary), t.directional(details), url=page)
    return forum_event(forum, text, settings_of(bot).zone, _stamp(forum), tentative=waitlisted)


def _stamp(forum: Forum) -> datetime:
    """When the forum last changed: the event's DTSTAMP, the feed's Last-Modified."""
    return forum.updated_at or forum.published_at or forum.created_at


def _plain(text: str) -> str:
    """A translated text as plain text: the escaping for Telegram's HTML undone."""
    return html.unescape(text)


# -- HTTP ------------------------------------------------------------------------------------


async def calendar_feed(request: Request) -> Response:
    """/calendar.ics?lang=ar: every published forum, upcoming and of the last year."""
    feed = await public_feed(bot_of(request), request.query_params.get("lang"))
    return cached(request, feed.body, ICS, last_modified=feed.last_modified)


async def personal_calendar_feed(request: Request) -> Response:
    """/calendar/<token>.ics: one person's forums; 404 for a revoked or unknown token."""
    feed = await personal_feed(bot_of(request), request.path_params["token"])
    if feed is None:
        return Response("No such calendar feed.\n", status_code=404, media_type="text/plain")
    return cached(request, feed.body, ICS, last_modified=feed.last_modified, private=True)


async def subscribe(request: Request) -> Response:
    """/calendar/<token>: on to webcal://…/calendar/<token>.ics, which calendar apps open."""
    token = request.path_params["token"]
    url = feed_url(bot_of(request), token)
    return RedirectResponse("webcal://" + url.split("://", 1)[1], status_code=302)


ROUTES = [
    Route("/calendar.ics", calendar_feed, methods=["GET"]),
    Route("/calendar/{token}.ics", personal_calendar_feed, methods=["GET"]),
    Route("/calendar/{token}", subscribe, methods=["GET"]),
]
