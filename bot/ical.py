"""iCalendar: a forum as an `.ics` file (for "Add to calendar"), and forums read from the
municipality's calendar feed (`idebot forums import URL`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from icalendar import Calendar, Event, vDuration

from bot.forums.rules import AUTHORITATIVE, ForumFields, text_in
from storage.forums import CANCELLED
from storage.models import Forum

PRODID = "-//idebot//Dialogue forums//EN"
USER_AGENT = "idebot (calendar import)"


class FeedError(Exception):
    """A feed that cannot be used; the message is one line for an operator."""


@dataclass(frozen=True)
class EventText:
    """What a reader sees of a forum's event, already in their language."""

    summary: str
    description: str = ""
    url: str | None = None  # default: the forum's own link (an online meeting), if any


def forum_ics(forum: Forum, language: str, zone: ZoneInfo, now: datetime) -> bytes:
    """One event with its UID, start and end in the municipality's zone (with the zone's
    VTIMEZONE, so calendars get daylight saving right), place and link."""
    title, description, _ = text_in(forum, language)
    details = "\n\n".join(part for part in (description, forum.link) if part)
    return calendar_ics([forum_event(forum, EventText(title, details), zone, now)], zone)


def forum_event(
    forum: Forum, text: EventText, zone: ZoneInfo, stamp: datetime, *, tentative: bool = False
) -> Event:
    """The forum as an event (one way for the "Add to calendar" file and the feeds). The
    UID is the forum's and stays; SEQUENCE rises with every change, so calendars replace
    their copy; a cancelled forum is STATUS:CANCELLED, a place on the waitlist TENTATIVE."""
    event = Event()
    event.add("uid", forum.uid)
    event.add("dtstamp", stamp)
    event.add("sequence", forum.sequence)
    event.add("dtstart", forum.starts_at.astimezone(zone))
    event.add("dtend", forum.ends_at.astimezone(zone))
    event.add("summary", text.summary)
    if text.description:
        event.add("description", text.description)
    if forum.place:
        event.add("location", forum.place)
    elif forum.link:
        event.add("location", forum.link)
    if url := text.url or forum.link:
        event.add("url", url)
    if forum.status == CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "TENTATIVE" if tentative else "CONFIRMED")
    return event


def calendar_ics(
    events: list[Event],
    zone: ZoneInfo,
    *,
    name: str | None = None,
    refresh: timedelta | None = None,
) -> bytes:
    """A calendar of `events` with the VTIMEZONE of every zone they use. A feed gets a
    `name` and a hint how often calendar apps should look again (`refresh`)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
        calendar.add("x-wr-timezone", zone.key)
    if refresh:
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(refresh))
    for event in events:
        calendar.add_component(event)
    days = [event.decoded("dtstart").date() for event in events]
    if days:
        calendar.add_missing_timezones(
            first_date=min(days) - timedelta(days=366), last_date=max(days) + timedelta(days=366)
        )
    return bytes(calendar.to_ical())


async def fetch_feed(url: str, *, time_limit: float, max_bytes: int) -> bytes:
    """The feed's bytes. Raises `FeedError` (one line) on anything that goes wrong."""
    if url.startswith("webcal://"):
        url = "https://" + url.removeprefix("webcal://")
    if not url.startswith(("http://", "https://")):
        raise FeedError("the address must start with http://, https:// or webcal://")
    try:
        async with (
            httpx.AsyncClient(
                timeout=httpx.Timeout(time_limit),
                follow_redirects=True,
                max_redirects=5,
                headers={"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"},
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != httpx.codes.OK:
                raise FeedError(f"the server answered HTTP {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FeedError(f"the feed is larger than the limit of {max_bytes:,} bytes")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise FeedError(f"the feed is larger than the limit of {max_bytes:,} bytes")
    except httpx.TimeoutException:
        raise FeedError(f"no answer within {time_limit:g} seconds") from None
    except httpx.TooManyRedirects:
        raise FeedError("too many redirects") from None
    except httpx.HTTPError as error:
        raise FeedError(f"could not fetch it: {error or type(error).__name__}") from None
    return bytes(body)


def parse_feed(data: bytes, zone: ZoneInfo) -> tuple[list[ForumFields], list[str]]:
    """Forums from the feed's events (titles and descriptions taken as Swedish), and notes
    on events that were left out. Raises `FeedError` when it is not iCalendar at all."""
    try:
        calendar = Calendar.from_ical(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise FeedError(f"not an iCalendar feed ({_first_line(error)})") from None
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise FeedError("not an iCalendar feed (no VCALENDAR)")
    forums, notes = [], []
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("uid", "")).strip()
        summary = str(event.get("summary", "")).strip()
        label = uid or summary or "an event"
        if not uid:
            notes.append(f"{label}: no UID, left out")
            continue
        if event.get("rrule"):
            notes.append(f"{label}: repeating events are not forums, left out")
            continue
        try:
            start = _aware(event.decoded("dtstart"), zone)
            if start is None:
                notes.append(f"{label}: an all-day event, left out")
                continue
            end = (
                _aware(event.decoded("dtend"), zone)
                if event.get("dtend")
                else start + event.decoded("duration", timedelta(hours=2))
            )
        except (KeyError, ValueError, TypeError):
            start = end = None
        if start is None or end is None:
            notes.append(f"{label}: no usable start or end, left out")
            continue
        location = str(event.get("location", "")).strip() or None
        link = str(event.get("url", "")).strip() or None
        forums.append(
            ForumFields(
                titles={AUTHORITATIVE: summary or uid},
                descriptions={AUTHORITATIVE: str(event.get("description", "")).strip()},
                starts_at=start,
                ends_at=end,
                place=location,
                link=link,
                uid=uid,
                cancelled=str(event.get("status", "")).upper() == "CANCELLED",
            )
        )
    if not forums and not notes:
        raise FeedError("the feed has no events")
    return forums, notes


def _aware(value: object, zone: ZoneInfo) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return None
    raise ValueError("not a date-time")


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0][:120] if text else type(error).__name__
