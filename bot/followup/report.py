"""The follow-up report of a year, computed once for the command line and the chat: each
principle's scores, the answers, and the year's figures (who joined and how, forums held,
invited and came, questions asked by language, hand-overs), written as CSV files and a chart.

CSV files as the register export writes them (UTF-8 with a byte-order mark, semicolons, and
so decimal commas, for Swedish spreadsheet programs). The chart is a PNG of a fixed size
(`CHART_SIZE` pixels), drawn with matplotlib's Agg canvas: no display, no global state."""

from __future__ import annotations

import html
import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import AUTHORITATIVE, Pack
from bot.followup.questionnaire import DONT_KNOW
from bot.followup.rounds import last_day
from bot.i18n import Translator
from bot.register_export import table_csv
from storage import attendance
from storage import followups as repo
from storage.models import FollowUpAnswer

CHART_SIZE = (1200, 700)  # pixels
DPI = 100
SCALE = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class PrincipleResult:
    entry_id: str
    title: str  # in the report's language
    distribution: tuple[int, ...]  # how many gave 1, 2, 3, 4, 5
    dont_know: int

    @property
    def answers(self) -> int:
        """Scores given (1–5); "don't know" is counted apart."""
        return sum(self.distribution)

    @property
    def mean(self) -> float | None:
        if not self.answers:
            return None
        return sum(s * n for s, n in zip(SCALE, self.distribution, strict=True)) / self.answers


@dataclass(frozen=True)
class ForumFigures:
    title: str  # Swedish, as staff wrote it
    starts_at: datetime
    invited: int  # invitations delivered
    came: int  # checked in, plus those counted at the door


@dataclass(frozen=True)
class Figures:
    joined_by_application: int
    joined_at_forums: int
    left: int  # removed from the register this year
    forums: tuple[ForumFigures, ...]
    questions: dict[str, int]  # by language
    handovers: int  # questions handed over to staff
    asked: int  # organisations asked in the follow-up
    submitted: int
    in_progress: int
    no_longer_active: int

    @property
    def invited(self) -> int:
        return sum(forum.invited for forum in self.forums)

    @property
    def came(self) -> int:
        return sum(forum.came for forum in self.forums)


@dataclass(frozen=True)
class AnswerRow:
    """One organisation's answers: nothing about the person who gave them."""

    organisation: str
    org_number: str | None
    language: str
    submitted_on: date | None
    scores: dict[str, int]
    change: str | None
    still_active: bool | None


@dataclass(frozen=True)
class Report:
    year: int
    language: str  # of the principles' titles
    last_day: date
    closed: bool
    principles: tuple[PrincipleResult, ...]
    figures: Figures
    rows: tuple[AnswerRow, ...] = field(default=())


async def build(
    session: AsyncSession,
    pack: Pack,
    year: int,
    *,
    zone: ZoneInfo,
    now: datetime,
    language: str,
) -> Report | None:
    """The report of `year`'s follow-up (None: no follow-up was started that year). Answers
    count as they were saved, sent or not; a person who deleted their data still counts,
    without their words."""
    followup = await repo.round_of(session, year)
    if followup is None:
        return None
    answers = await repo.answers_of_round(session, followup.id)
    ids = [entry.id for entry in pack.principles(AUTHORITATIVE)]
    titles = {e.id: e.title for e in pack.principles(language)}  # type: ignore[arg-type]
    principles = tuple(
        _principle(i, titles.get(i, i), [a.scores for a, _ in answers]) for i in ids
    )
    rows = tuple(
        AnswerRow(
            member.name,
            member.org_number,
            answer.language,
            answer.submitted_at.astimezone(zone).date() if answer.submitted_at else None,
            dict(answer.scores),
            answer.change,
            answer.still_active,
        )
        for answer, member in answers
        if answer.scores or answer.change or answer.still_active is not None
    )
    return Report(
        year,
        language,
        last_day(followup, zone),
        followup.closed_at is not None,
        principles,
        await _figures(session, year, zone, now, [a for a, _ in answers]),
        rows,
    )


def _principle(entry_id: str, title: str, all_scores: Sequence[dict[str, int]]) -> PrincipleResult:
    given = [scores[entry_id] for scores in all_scores if entry_id in scores]
    distribution = tuple(given.count(score) for score in SCALE)
    return PrincipleResult(entry_id, title, distribution, given.count(DONT_KNOW))


async def _figures(
    session: AsyncSession,
    year: int,
    zone: ZoneInfo,
    now: datetime,
    rows: Sequence[FollowUpAnswer],
) -> Figures:
    start_day, end_day = date(year, 1, 1), date(year + 1, 1, 1)
    start = datetime(year, 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    joined = await repo.joined(session, start_day, end_day)
    held = await repo.forums_held(session, start, min(end, now))
    invited = await repo.invitations_sent(session, [forum.id for forum in held])
    forums = [
        ForumFigures(
            forum.titles.get(AUTHORITATIVE, ""),
            forum.starts_at,
            invited.get(forum.id, 0),
            await attendance.checked_in(session, forum.id),
        )
        for forum in held
    ]
    return Figures(
        joined_by_application=joined.get("application", 0),
        joined_at_forums=joined.get("forum", 0),
        left=await repo.left(session, start_day, end_day),
        forums=tuple(forums),
        questions=await repo.questions_by_language(session, start, end),
        handovers=await repo.handovers(session, start, end),
        asked=len(rows),
        submitted=sum(1 for a in rows if a.submitted_at is not None),
        in_progress=sum(1 for a in rows if a.submitted_at is None and a.step is not None),
        no_longer_active=sum(1 for a in rows if a.still_active is False),
    )


# -- files -------------------------------------------------------------------------------------


def answers_csv(report: Report) -> bytes:
    """One row per organisation that answered (sent or not): its scores by principle
    (1–5, "don't know", or empty), what should change, and whether it is still active."""
    titles = [p.title for p in report.principles]
    columns = (
        "organisation",
        "org_number",
        "language",
        "status",
        "submitted_on",
        *titles,
        "what_should_change",
        "still_active",
    )
    lines = (
        [
            row.organisation,
            row.org_number,
            row.language,
            "submitted" if row.submitted_on else "in progress",
            row.submitted_on,
            *(_score_cell(row.scores.get(p.entry_id)) for p in report.principles),
            row.change,
            row.still_active,
        ]
        for row in report.rows
    )
    return table_csv(columns, lines)


def summary_csv(report: Report) -> bytes:
    """Per principle: how many scored it, the mean, how many gave each score, "don't know"."""
    columns = (
        "principle_id",
        "principle",
        "answers",
        "mean",
        "1",
        "2",
        "3",
        "4",
        "5",
        "dont_know",
    )
    lines = (
        [p.entry_id, p.title, p.answers, _decimal(p.mean), *p.distribution, p.dont_know]
        for p in report.principles
    )
    return table_csv(columns, lines)


def figures_csv(report: Report) -> bytes:
    """The year's figures, one per line, as a follow-up report quotes them."""
    f = report.figures
    lines: list[list[object]] = [
        ["joined_by_application", f.joined_by_application],
        ["joined_at_forums", f.joined_at_forums],
        ["left_the_register", f.left],
        ["forums_held", len(f.forums)],
        ["invited", f.invited],
        ["came", f.came],
        *([f"questions_{language}", n] for language, n in sorted(f.questions.items())),
        ["questions", sum(f.questions.values())],
        ["handed_over", f.handovers],
        ["followup_asked", f.asked],
        ["followup_submitted", f.submitted],
        ["followup_in_progress", f.in_progress],
        ["followup_no_longer_active", f.no_longer_active],
    ]
    return table_csv(("figure", "value"), lines)


def file_names(year: int) -> tuple[str, str, str, str]:
    return (
        f"followup-{year}.csv",
        f"followup-{year}-summary.csv",
        f"followup-{year}-figures.csv",
        f"followup-{year}.png",
    )


def write(report: Report, t: Translator, folder: Path) -> list[Path]:
    """Every file of the report, written to `folder` (made if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    contents = (
        answers_csv(report),
        summary_csv(report),
        figures_csv(report),
        chart_png(report, t),
    )
    paths = [folder / name for name in file_names(report.year)]
    for path, content in zip(paths, contents, strict=True):
        path.write_bytes(content)
    return paths


def _score_cell(score: int | None) -> str:
    if score is None:
        return ""
    return "don't know" if score == DONT_KNOW else str(score)


def _decimal(value: float | None) -> str:
    return "" if value is None else format_decimal(value, "0.00", locale="sv")


# -- the chart -----------------------------------------------------------------------------------


def figure_lines(t: Translator, figures: Figures) -> list[str]:
    """The year's figures in words (plain text: no markup, for the chart and the chat)."""
    questions = ", ".join(f"{lang} {n}" for lang, n in sorted(figures.questions.items()))
    return [
        t.pgettext(
            "followup report",
            "Joined by written application: {n}",
            n=figures.joined_by_application,
        ),
        t.pgettext(
            "followup report", "Joined at dialogue forums: {n}", n=figures.joined_at_forums
        ),
        t.pgettext("followup report", "Left the register: {n}", n=figures.left),
        t.pgettext("followup report", "Dialogue forums held: {n}", n=len(figures.forums)),
        t.pgettext(
            "followup report",
            "Invited: {invited} · came: {came}",
            invited=figures.invited,
            came=figures.came,
        ),
        t.pgettext(
            "followup report",
            "Questions asked: {n} ({by_language})",
            n=sum(figures.questions.values()),
            by_language=questions or "–",
        ),
        t.pgettext("followup report", "Handed over to staff: {n}", n=figures.handovers),
        t.pgettext(
            "followup report",
            "Organisations that answered the follow-up: {submitted} of {asked}",
            submitted=figures.submitted,
            asked=figures.asked,
        ),
        t.pgettext("followup report", "No longer active: {n}", n=figures.no_longer_active),
    ]


def bar_label(t: Translator, principle: PrincipleResult) -> str:
    mean = principle.mean
    if mean is None:
        return t.pgettext("followup report", "no scores yet")
    return t.pgettext(
        "followup report",
        "{mean} · {n} answers · {dont_know} don't know",
        mean=format_decimal(mean, "0.0", locale=t.language),
        n=principle.answers,
        dont_know=principle.dont_know,
    )


def chart_png(report: Report, t: Translator) -> bytes:
    """Horizontal bars: each principle's mean score (1–5), with its number of answers; the
    year's figures beside them. Always `CHART_SIZE` pixels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415  (slow import)
    from matplotlib.figure import Figure  # noqa: PLC0415

    figure = Figure(figsize=(CHART_SIZE[0] / DPI, CHART_SIZE[1] / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.suptitle(
        _plain(
            t.pgettext("followup report", "Follow-up of the agreement {year}", year=report.year)
        ),
        x=0.03,
        ha="left",
        fontsize=17,
        fontweight="bold",
    )
    bars = figure.add_axes((0.22, 0.13, 0.42, 0.74))
    principles = list(reversed(report.principles))  # the first principle on top
    rows = range(len(principles))
    means = [p.mean or 0 for p in principles]
    bars.barh(rows, means, color="#1f6f8b", height=0.6)
    bars.set_yticks(list(rows), [textwrap.fill(p.title, 26) for p in principles], fontsize=10)
    bars.set_xlim(0, 5)
    bars.set_xticks(list(range(6)))
    bars.set_xlabel(
        _plain(t.pgettext("followup report", "Mean score: 1 = very badly, 5 = very well"))
    )
    for row, principle, mean in zip(rows, principles, means, strict=True):
        bars.text(
            mean + 0.08 if mean < 2.6 else mean - 0.08,
            row,
            _plain(bar_label(t, principle)),
            va="center",
            ha="left" if mean < 2.6 else "right",
            fontsize=9,
            color="#222222" if mean < 2.6 else "white",
        )
    bars.spines[["top", "right"]].set_visible(False)
    side = figure.add_axes((0.70, 0.13, 0.28, 0.74))
    side.axis("off")
    heading = t.pgettext("followup report", "The year in figures")
    lines = [textwrap.fill(_plain(line), 40) for line in figure_lines(t, report.figures)]
    side.text(0, 1, _plain(heading), fontsize=13, fontweight="bold", va="top")
    side.text(0, 0.92, "\n".join(lines), fontsize=10.5, va="top", linespacing=1.7)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _plain(text: str) -> str:
    """A translated text as plain text (values were escaped for HTML)."""
    return html.unescape(text)
