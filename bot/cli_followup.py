"""`idebot followup start` and `idebot followup report`: the yearly follow-up from a terminal.
A running bot's delivery worker sends what `start` queues."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

from bot.config import Settings
from storage import migrate
from storage.db import Database
from storage.models import utcnow

EXIT_USAGE = 2

START_HELP = """\
Start the yearly follow-up: every organisation in the register whose contact person has
connected their Telegram account is asked, in the contact's language, how each principle of
the agreement worked this year, what should change, and whether it is still active. Those
who have not answered are reminded after 7 and 14 days; the round closes at the end of the
deadline's day. Running it again asks only organisations connected since (nobody is asked
twice); with --deadline it also moves the deadline."""

REPORT_HELP = """\
Write the follow-up report of a year to a folder: followup-YEAR.csv (one row per
organisation that answered, free text included, nothing about the person who answered),
followup-YEAR-summary.csv (per principle: answers, mean, distribution, "don't know"),
followup-YEAR-figures.csv (the year's figures: organisations joined by application and at
forums, forums held, invited and came, questions by language, hand-overs, the follow-up's
answers) and followup-YEAR.png (a 1200x700 chart of the scores and the figures, in
DEFAULT_LANGUAGE). CSV files are UTF-8 with a byte-order mark and semicolons."""


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    followup = commands.add_parser(
        "followup",
        help="the yearly follow-up: start it, write its report",
        description="The yearly follow-up of the agreement with the organisations.",
    )
    actions = followup.add_subparsers(title="followup commands", required=True)
    start = actions.add_parser(
        "start", help="ask every organisation with a connected contact", description=START_HELP
    )
    start.add_argument("--year", type=int, default=None, help="the year (default: this year)")
    start.add_argument(
        "--deadline",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="the last day answers are taken (a new round: 30 days from today)",
    )
    start.set_defaults(action=_start)
    report = actions.add_parser(
        "report", help="write the report's CSV files and chart", description=REPORT_HELP
    )
    report.add_argument("--year", type=int, default=None, help="the year (default: this year)")
    report.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="folder to write to"
    )
    report.set_defaults(action=_report)


def _this_year(settings: Settings) -> int:
    return utcnow().astimezone(settings.zone).year


def _start(settings: Settings, args: argparse.Namespace) -> int:
    from bot.followup import rounds  # noqa: PLC0415

    year = args.year or _this_year(settings)

    async def go() -> rounds.Started:
        db = Database.connect(settings.resolved_database_url)
        try:
            await migrate.upgrade(db.engine)
            async with db.transaction() as session:
                return await rounds.start(
                    session,
                    year=year,
                    deadline=args.deadline,
                    pack=settings.content_pack,
                    now=utcnow(),
                    zone=settings.zone,
                    started_by=None,
                    default_language=settings.default_language,
                )
        finally:
            await db.close()

    started = asyncio.run(go())
    if started.problem is rounds.StartProblem.CLOSED:
        print(f"idebot: the follow-up {year} has closed", file=sys.stderr)
        return 1
    if started.problem is not None or started.followup is None:
        print(
            f"idebot: --deadline must be within a year from today, not {args.deadline}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    last = rounds.last_day(started.followup, settings.zone)
    what = "started" if started.new else "started again"
    print(f"follow-up {year} {what}: {started.asked} organisations asked; answers until {last}")
    return 0


def _report(settings: Settings, args: argparse.Namespace) -> int:
    from bot.content import load_pack  # noqa: PLC0415
    from bot.followup import report  # noqa: PLC0415
    from bot.i18n import I18n  # noqa: PLC0415

    year = args.year or _this_year(settings)
    pack = load_pack(settings.content_pack, settings.content_dir)
    i18n = I18n(settings.default_language, settings.zone)
    t = i18n.translator(settings.default_language)
    if t.rtl:  # matplotlib does not lay out right-to-left text
        t = i18n.translator("sv")

    async def go() -> report.Report | None:
        db = Database.connect(settings.resolved_database_url)
        try:
            await migrate.upgrade(db.engine)
            async with db.transaction() as session:
                return await report.build(
                    session, pack, year, zone=settings.zone, now=utcnow(), language=t.language
                )
        finally:
            await db.close()

    found = asyncio.run(go())
    if found is None:
        print(f"idebot: no follow-up was started for {year}", file=sys.stderr)
        return 1
    for path in report.write(found, t, args.out):
        print(path)
    return 0
