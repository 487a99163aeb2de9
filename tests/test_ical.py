"""Calendar files: "Add to calendar" across a daylight-saving change, and importing forums
from an iCalendar feed served on loopback (and clear errors when the feed is broken)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import select

from bot import ical
from bot.forums import imports
from bot.forums.reminders import Schedule
from bot.ical import FeedError
from storage.models import Forum, Outbox
from tests.forum_helpers import ZONE, Clock, started

FEED = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Sodertalje kommun//Kalender//SV
BEGIN:VEVENT
UID:dialogforum-var-2027@sodertalje.se
DTSTAMP:20270101T000000Z
DTSTART;TZID=Europe/Stockholm:20270318T180000
DTEND;TZID=Europe/Stockholm:20270318T203000
SUMMARY:Dialogforum våren 2027
DESCRIPTION:Vi samtalar om överenskommelsen.
LOCATION:Stadshuset\\, Campusgatan 26
URL:https://www.sodertalje.se/dialogforum
END:VEVENT
BEGIN:VEVENT
UID:dialogforum-host-2027@sodertalje.se
DTSTAMP:20270101T000000Z
DTSTART:20270916T160000Z
DTEND:20270916T180000Z
SUMMARY:Dialogforum hösten 2027
LOCATION:Folkets hus
END:VEVENT
BEGIN:VEVENT
UID:heldag@sodertalje.se
DTSTAMP:20270101T000000Z
DTSTART;VALUE=DATE:20270601
SUMMARY:Nationaldagsfirande
END:VEVENT
END:VCALENDAR
"""


class Feed:
    """A tiny web server on 127.0.0.1 that answers with whatever the test sets (`silent`:
    nothing at all, until the test is over)."""

    def __init__(self) -> None:
        self.body = FEED.encode()
        self.status = 200
        self.silent = False
        self.over = threading.Event()
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if feed.silent:
                    feed.over.wait()
                    return
                self.send_response(feed.status)
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                self.send_header("Content-Length", str(len(feed.body)))
                self.end_headers()
                self.wfile.write(feed.body)

            def log_message(self, *_args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/kalender.ics"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Feed:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.over.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def feed() -> Iterator[Feed]:
    with Feed() as served:
        yield served


async def test_the_ics_file_has_the_right_local_times_on_both_sides_of_daylight_saving(
    database_url: str, tmp_path: Path
) -> None:
    clock = Clock()
    clock.set(datetime(2027, 3, 1, 12, tzinfo=UTC))
    async with started(database_url, tmp_path, clock=clock) as bot:
        user = await bot.subscriber(3000, "en")
        winter = await bot.create_forum(starts=datetime(2027, 3, 27, 18, tzinfo=ZONE))
        summer = await bot.create_forum(
            title="Efter sommartid", starts=datetime(2027, 3, 29, 18, tzinfo=ZONE)
        )
        for forum_id in (winter, summer):
            await bot.publish(forum_id)
        await bot.deliver()
        files = []
        for invitation in [m for m in bot.api.bot_messages(3000) if "invited" in m.text]:
            await user.press("Add to calendar", invitation)
            document = bot.api.bot_messages(3000)[-1].document
            assert document is not None
            assert document[0].endswith(".ics")
            files.append(Calendar.from_ical(document[1]))
        uids = {(await bot.forum(winter)).uid, (await bot.forum(summer)).uid}

    offsets = []
    for calendar in files:
        event = calendar.walk("VEVENT")[0]
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert (start.hour, start.minute, end.hour) == (18, 0, 20)
        assert str(start.tzinfo) == "Europe/Stockholm"
        assert str(event["uid"]) in uids
        assert "Campusgatan 26" in str(event["location"])
        assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]
        offsets.append(start.utcoffset())
    assert offsets == [timedelta(hours=1), timedelta(hours=2)], "CET, then CEST"
    assert files[0].walk("VEVENT")[0].decoded("dtstart").astimezone(UTC).hour == 17
    assert files[1].walk("VEVENT")[0].decoded("dtstart").astimezone(UTC).hour == 16


async def test_importing_a_feed_creates_forums_and_updates_them_by_uid(
    database_url: str, tmp_path: Path, feed: Feed
) -> None:
    clock = Clock()
    clock.set(datetime(2027, 1, 10, 9, tzinfo=UTC))
    async with started(database_url, tmp_path, clock=clock) as bot:
        member = await bot.subscriber(3100, "sv")

        async def run_import() -> imports.ImportReport:
            data = await ical.fetch_feed(feed.url, time_limit=5, max_bytes=100_000)
            items, notes = ical.parse_feed(data, ZONE)
            assert notes == ["heldag@sodertalje.se: an all-day event, left out"]
            async with bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
                return await imports.upsert(session, items, clock(), Schedule())

        first = await run_import()
        assert (len(first.created), len(first.updated)) == (2, 0)
        spring = await bot.scalar(select(Forum).where(Forum.uid.like("dialogforum-var%")))
        assert spring.starts_at == datetime(2027, 3, 18, 17, tzinfo=UTC)
        assert spring.place == "Stadshuset, Campusgatan 26"
        assert spring.link == "https://www.sodertalje.se/dialogforum"
        await bot.publish(spring.id)
        await bot.deliver()

        feed.body = (
            FEED.replace("T180000\n", "T170000\n")
            .replace("T203000", "T193000")
            .replace("LOCATION:Folkets hus\n", "LOCATION:Folkets hus\nSTATUS:CANCELLED\n")
            .encode()
        )
        second = await run_import()
        await bot.deliver()

        assert (len(second.created), len(second.updated), len(second.cancelled)) == (0, 1, 1)
        assert (await bot.forum(spring.id)).starts_at == datetime(2027, 3, 18, 16, tzinfo=UTC)
        assert "Ny tid" in bot.api.bot_messages(member.chat_id)[-1].text
        assert await bot.scalar(select(Forum.status).where(Forum.uid.like("%host%"))) == (
            "cancelled"
        )
        assert len(await bot.scalars(select(Forum))) == 2, "updated by UID, not duplicated"
        assert len(await bot.scalars(select(Outbox).where(Outbox.kind == "moved"))) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": 404}, "the server answered HTTP 404"),
        ({"body": b"<html>Not a calendar</html>"}, "not an iCalendar feed"),
        ({"body": b"BEGIN:VCALENDAR\nEND:VCALENDAR\n"}, "the feed has no events"),
        ({"body": b"x" * 5000}, "larger than the limit of 4,000 bytes"),
        ({"silent": True}, "no answer within 0.5 seconds"),
    ],
)
async def test_a_broken_feed_gives_a_clear_one_line_error(
    feed: Feed, change: dict[str, object], message: str
) -> None:
    for key, value in change.items():
        setattr(feed, key, value)

    async def fetch_and_parse() -> None:
        data = await ical.fetch_feed(feed.url, time_limit=0.5, max_bytes=4000)
        ical.parse_feed(data, ZONE)

    with pytest.raises(FeedError) as raised:
        await fetch_and_parse()
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


async def test_an_address_that_answers_nothing_is_a_clear_error() -> None:
    with pytest.raises(FeedError, match="could not fetch it"):
        await ical.fetch_feed("http://127.0.0.1:9/nothing.ics", time_limit=2, max_bytes=1000)
    with pytest.raises(FeedError, match="must start with"):
        await ical.fetch_feed("ftp://example.org/x.ics", time_limit=2, max_bytes=1000)


def idebot(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env |= {"DATA_DIR": str(data_dir), "ADMIN_IDS": ""}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_the_cli_imports_a_feed_and_adds_forums_from_a_file(tmp_path: Path, feed: Feed) -> None:
    imported = idebot("forums", "import", feed.url, data_dir=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "2 created" in imported.stderr
    again = idebot("forums", "import", feed.url, data_dir=tmp_path)
    assert "0 created, 0 updated, 0 cancelled, 2 unchanged" in again.stderr

    file = tmp_path / "forums.toml"
    file.write_text(
        """
[[forum]]
uid = "host-2030@sodertalje.se"
start = 2030-09-12T18:00:00
end = 2030-09-12T20:00:00
place = "Stadshuset"
capacity = 40
[forum.title]
sv = "Dialogforum hösten 2030"
en = "Dialogue forum autumn 2030"
[forum.description]
sv = "Om bidrag och lokaler."
""",
        encoding="utf-8",
    )
    added = idebot("forums", "add", str(file), data_dir=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "1 created" in added.stderr

    feed.status = 500
    broken = idebot("forums", "import", feed.url, data_dir=tmp_path)
    assert broken.returncode == 1
    assert broken.stderr.strip().splitlines() == [
        f"idebot: cannot import {feed.url}: the server answered HTTP 500"
    ]
    file.write_text("[[forum]]\nstart = 2030-09-12T18:00:00\n", encoding="utf-8")
    bad = idebot("forums", "add", str(file), data_dir=tmp_path)
    assert bad.returncode == 1
    assert "forum 1" in bad.stderr
    assert "Traceback" not in bad.stderr
