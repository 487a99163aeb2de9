"""/followup for staff (ADMIN_IDS): this year's round at a glance, starting it (the deadline
typed as a date, or in 30 days), asking organisations connected since, the report (the chart,
the figures, the CSV files), and the organisations to remove from the register."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from markupsafe import escape
from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.buttons import Button, CallbackData, Rows
from bot.context import CustomContext, IdeApplication
from bot.conversations import Flow
from bot.followup import report as reports
from bot.followup import rounds
from bot.followup.rounds import Decision, StartProblem
from bot.i18n import Translator
from bot.text import shorten
from handlers import staff
from handlers.fallback import answer_stale
from handlers.turn import Turn, with_turn
from storage import conversations
from storage import followups as repo
from storage.models import Conversation, Member

MAX_LISTED = 20  # organisations to remove shown at once


class StaffAction(StrEnum):
    STATUS = "status"
    START = "start"  # asks for the deadline
    ASK_NEW = "new"  # asks organisations connected since the start
    REPORT = "report"
    REMOVALS = "removals"


@dataclass(frozen=True)
class FollowUpStaffButton(CallbackData):
    prefix = "fuo"
    action: StaffAction
    year: int


@dataclass(frozen=True)
class StartButton(CallbackData):
    """Start the round of `year` with answers taken until `deadline` (YYYY-MM-DD): first
    shown for confirmation (`go` false), then started."""

    prefix = "fug"
    year: int
    deadline: str
    go: bool


@dataclass(frozen=True)
class RemovalButton(CallbackData):
    prefix = "fur"
    member: int
    decision: Decision


def _year(context: CustomContext) -> int:
    return context.now().astimezone(context.settings.zone).year


async def _status(context: CustomContext, turn: Turn, year: int) -> tuple[str, Rows]:
    t, zone = turn.t, context.settings.zone
    found = await rounds.status(turn.session, year)
    to_remove = len(await repo.reported_inactive(turn.session))
    rows: list[list[Button]] = []
    if found is None:
        text = t.pgettext(
            "followup staff", "<b>Follow-up {year}</b>\n\nNot started yet.", year=year
        )
        rows.append(
            [
                _button(
                    t.pgettext("followup staff", "▶️ Start the follow-up {year}", year=year),
                    StaffAction.START,
                    year,
                )
            ]
        )
    else:
        followup = found.followup
        state = (
            t.pgettext(
                "followup staff",
                "closed on {date}",
                date=t.date(followup.closed_at.astimezone(zone).date()),
            )
            if followup.closed_at
            else t.pgettext(
                "followup staff", "open until {date}", date=t.date(rounds.last_day(followup, zone))
            )
        )
        text = t.pgettext(
            "followup staff",
            "<b>Follow-up {year}</b> ({state})\n\nOrganisations asked: {asked}\nAnswered: "
            "{submitted}\nIn progress: {in_progress}\nNot started: {not_started}",
            year=year,
            state=state,
            asked=found.asked,
            submitted=found.submitted,
            in_progress=found.in_progress,
            not_started=found.not_started,
        )
        if found.not_asked:
            rows.append(
                [
                    _button(
                        t.npgettext(
                            "followup staff",
                            "Ask the {n} organisation connected since the start",
                            "Ask the {n} organisations connected since the start",
                            found.not_asked,
                        ),
                        StaffAction.ASK_NEW,
                        year,
                    )
                ]
            )
        rows.append([_button(t.pgettext("followup staff", "📊 Report"), StaffAction.REPORT, year)])
    if to_remove:
        label = t.pgettext("followup staff", "To remove from the register ({n})", n=to_remove)
        rows.append([_button(label, StaffAction.REMOVALS, year)])
    return text, rows


def _button(label: str, action: StaffAction, year: int) -> Button:
    return FollowUpStaffButton(action, year).button(label)


@with_turn
async def followup_command(update: Update, context: CustomContext, turn: Turn) -> None:
    if not await staff.admit(update, context, turn):
        return
    text, rows = await _status(context, turn, _year(context))
    turn.reply(text, rows)


@with_turn
async def staff_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = FollowUpStaffButton.parse(query.data if query else None)
    if button is None:
        answer_stale(turn)
        return
    if not await staff.admit(update, context, turn):
        return
    if button.action is StaffAction.STATUS:
        turn.reply(*await _status(context, turn, button.year))
    elif button.action is StaffAction.START:
        await _ask_deadline(context, turn, button.year)
    elif button.action is StaffAction.ASK_NEW:
        await _start(context, turn, button.year, None)
    elif button.action is StaffAction.REPORT:
        await _report(context, turn, button.year)
    else:
        turn.reply(*await _removals(turn))


# -- starting ----------------------------------------------------------------------------------


async def _ask_deadline(context: CustomContext, turn: Turn, year: int) -> None:
    t, now, zone = turn.t, context.now(), context.settings.zone
    person = turn.update.effective_user
    assert person is not None
    await conversations.begin(
        turn.session, person.id, Flow.FOLLOWUP_DEADLINE, now, subject_id=year
    )
    default = rounds.default_deadline(now, zone)
    in_30 = StartButton(year, default.isoformat(), go=False).button(
        t.pgettext("followup staff", "In 30 days ({date})", date=t.date(default))
    )
    turn.reply(
        t.pgettext(
            "followup staff",
            "Until which day may organisations answer? Type a date like {example}, or press "
            "the button.",
            example=default.isoformat(),
        ),
        [[in_30]],
    )


async def take_deadline(
    context: CustomContext, turn: Turn, where: Conversation, message: Message
) -> bool:
    """The deadline typed by staff (sent here by the router)."""
    t, now, zone = turn.t, context.now(), context.settings.zone
    year = where.subject_id or _year(context)
    try:
        day = date.fromisoformat((message.text or "").strip())
    except ValueError:
        turn.reply(
            t.pgettext(
                "followup staff",
                "Please type the date as YYYY-MM-DD, e.g. {example}.",
                example=rounds.default_deadline(now, zone),
            )
        )
        return True
    if problem := rounds.check_deadline(day, now, zone):
        turn.reply(_problem_text(t, problem, year))
        return True
    await conversations.end(turn.session, where.user_id, Flow.FOLLOWUP_DEADLINE)
    await _confirm(context, turn, year, day)
    return True


async def _confirm(context: CustomContext, turn: Turn, year: int, day: date) -> None:
    t = turn.t
    followup = await repo.round_of(turn.session, year)
    waiting = await repo.count_not_asked(turn.session, followup.id if followup else 0)
    text = t.npgettext(
        "followup staff",
        "Start the follow-up {year}? {n} organisation with a connected contact will be asked, "
        "in the contact's language, to answer by {date}. They are reminded after 7 and 14 "
        "days.",
        "Start the follow-up {year}? {n} organisations with a connected contact will be "
        "asked, in the contact's language, to answer by {date}. They are reminded after 7 and "
        "14 days.",
        waiting,
        year=year,
        date=t.date(day),
    )
    keyboard = [
        [
            StartButton(year, day.isoformat(), go=True).button(
                t.pgettext("followup staff", "✅ Start")
            ),
            _button(t.pgettext("followup staff", "Cancel"), StaffAction.STATUS, year),
        ]
    ]
    turn.reply(text, keyboard)


@with_turn
async def start_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = StartButton.parse(query.data if query else None)
    try:
        day = date.fromisoformat(button.deadline) if button else None
    except ValueError:
        day = None
    if button is None or day is None:
        answer_stale(turn)
        return
    if not await staff.admit(update, context, turn):
        return
    turn.drop_buttons(StartButton, echo=True)
    if not button.go:
        person = turn.update.effective_user
        if person is not None:
            await conversations.end(turn.session, person.id, Flow.FOLLOWUP_DEADLINE)
        await _confirm(context, turn, button.year, day)
        return
    await _start(context, turn, button.year, day)


async def _start(context: CustomContext, turn: Turn, year: int, day: date | None) -> None:
    t, person, zone = turn.t, turn.update.effective_user, context.settings.zone
    started = await rounds.start(
        turn.session,
        year=year,
        deadline=day,
        pack=context.settings.content_pack,
        now=context.now(),
        zone=zone,
        started_by=person.id if person else None,
        default_language=context.settings.default_language,
    )
    if started.problem is not None or started.followup is None:
        turn.reply(_problem_text(t, started.problem or StartProblem.CLOSED, year))
        return
    turn.reply(
        t.npgettext(
            "followup staff",
            "The follow-up {year} has started: {n} organisation asked. Answers are taken until "
            "{date}; /followup shows how far it has come.",
            "The follow-up {year} has started: {n} organisations asked. Answers are taken until "
            "{date}; /followup shows how far it has come.",
            started.asked,
            year=year,
            date=t.date(rounds.last_day(started.followup, zone)),
        )
    )
    if started.asked:
        context.wake_worker()


def _problem_text(t: Translator, problem: StartProblem, year: int) -> str:
    if problem is StartProblem.PAST:
        return t.pgettext("followup staff", "That day has passed. Please give a later date.")
    if problem is StartProblem.TOO_FAR:
        return t.pgettext(
            "followup staff", "That is more than a year away. Please give an earlier date."
        )
    return t.pgettext(
        "followup staff", "The follow-up {year} has closed; it cannot be started again.", year=year
    )


# -- the report --------------------------------------------------------------------------------


async def _report(context: CustomContext, turn: Turn, year: int) -> None:
    t = turn.t  # the chart in the staff member's language; matplotlib cannot write right to left
    chart_t = context.i18n.translator("sv") if t.rtl else t
    pack = context.pack
    found = await reports.build(
        turn.session,
        pack,
        year,
        zone=context.settings.zone,
        now=context.now(),
        language=chart_t.language,
    )
    if found is None:
        turn.reply(
            t.pgettext("followup staff", "The follow-up {year} has not been started.", year=year)
        )
        return
    answers, summary, figures, png = reports.file_names(year)
    chart = await asyncio.to_thread(reports.chart_png, found, chart_t)
    turn.document((png, chart), t.pgettext("followup staff", "Follow-up {year}", year=year))
    turn.reply(_figures_text(t, found))
    turn.document((answers, reports.answers_csv(found)))
    turn.document((summary, reports.summary_csv(found)))
    turn.document((figures, reports.figures_csv(found)))


def _figures_text(t: Translator, found: reports.Report) -> str:
    lines = [t.pgettext("followup staff", "<b>The year {year} in figures</b>", year=found.year)]
    lines += [f"• {line}" for line in reports.figure_lines(t, found.figures)]
    for forum in found.figures.forums:
        lines.append(
            t.pgettext(
                "followup staff",
                "  – {title} ({date}): {invited} invited, {came} came",
                title=forum.title,
                date=t.date(forum.starts_at.astimezone(t.zone).date()),
                invited=forum.invited,
                came=forum.came,
            )
        )
    scores = [t.pgettext("followup staff", "<b>Scores</b> (mean of 1–5, answers)")]
    for principle in found.principles:
        scores.append(f"• {escape(principle.title)}: {reports.bar_label(t, principle)}")
    return "\n".join(lines) + "\n\n" + "\n".join(scores)


# -- removal from the register -------------------------------------------------------------------


async def _removals(turn: Turn) -> tuple[str, Rows]:
    t = turn.t
    found = list(await repo.reported_inactive(turn.session))
    if not found:
        return t.pgettext("followup staff", "No organisation is waiting to be removed."), ()
    lines = [
        t.pgettext(
            "followup staff",
            "<b>To remove from the register</b>\nThese organisations answered in the follow-up "
            "that they are no longer active. Remove each from the register (from today; the "
            "public register leaves it out), or keep it.",
        )
    ]
    rows = []
    for member in found[:MAX_LISTED]:
        lines.append(_listed(t, member))
        name = shorten(member.name, 24)
        rows.append(
            [
                RemovalButton(member.id, Decision.REMOVE).button(
                    t.pgettext("followup staff", "🗑 Remove {name}", name=name)
                ),
                RemovalButton(member.id, Decision.KEEP).button(
                    t.pgettext("followup staff", "Keep {name}", name=name)
                ),
            ]
        )
    return "\n".join(lines), rows


def _listed(t: Translator, member: Member) -> str:
    reported = member.inactive_reported_at
    when = t.date(reported.astimezone(t.zone).date()) if reported else "–"
    return t.pgettext(
        "followup staff", "• <b>{name}</b> (said so on {date})", name=member.name, date=when
    )


@with_turn
async def removal_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query, person = update.callback_query, update.effective_user
    button = RemovalButton.parse(query.data if query else None)
    if button is None or person is None:
        answer_stale(turn)
        return
    if not await staff.admit(update, context, turn):
        return
    member = await rounds.decide_removal(
        turn.session,
        button.member,
        button.decision,
        actor=person.id,
        now=context.now(),
        zone=context.settings.zone,
    )
    t = turn.t
    if member is None:
        turn.answer(t.pgettext("followup staff", "This has been decided already."), alert=True)
    elif button.decision is Decision.REMOVE:
        turn.answer(t.pgettext("followup staff", "Removed from the register."))
    else:
        turn.answer(t.pgettext("followup staff", "Kept in the register."))
    text, rows = await _removals(turn)
    turn.edit(text, rows)


def register(app: IdeApplication) -> None:
    app.add_handler(CommandHandler("followup", followup_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(staff_button, pattern=FollowUpStaffButton.matches))
    app.add_handler(CallbackQueryHandler(start_button, pattern=StartButton.matches))
    app.add_handler(CallbackQueryHandler(removal_button, pattern=RemovalButton.matches))
