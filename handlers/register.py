"""/members: the public register, page by page; /export for staff: CSV files."""

from __future__ import annotations

from markupsafe import escape
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.buttons import Button, Rows
from bot.context import CustomContext, IdeApplication
from bot.register_export import applications_csv, members_csv
from handlers import staff
from handlers.entries import show_or_edit
from handlers.fallback import answer_stale
from handlers.menu import Menu, MenuItem
from handlers.turn import Turn, with_turn
from storage import applications as store
from storage.models import utcnow

PAGE = "mb:"  # mb:<page number>
PAGE_SIZE = 10


async def _page(context: CustomContext, turn: Turn, page: int) -> tuple[str, Rows]:
    t = turn.t
    total = await store.count_members(turn.session, public_only=True)
    if total == 0:
        return t.pgettext("register", "No organisations are in the public register yet."), ()
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 0), pages - 1)
    found = await store.members(
        turn.session, public_only=True, offset=page * PAGE_SIZE, limit=PAGE_SIZE
    )
    lines = [
        t.npgettext(
            "register",
            "<b>{n} organisation has signed the agreement</b>",
            "<b>{n} organisations have signed the agreement</b>",
            total,
        )
    ]
    for member in found:
        since = t.pgettext("register", "since {date}", date=t.date(member.joined_on))
        area = f" · {escape(member.area)}" if member.area else ""
        lines.append(f"• <b>{escape(member.name)}</b>{area} · {since}")
    if pages > 1:
        lines.append(t.pgettext("register", "Page {page} of {pages}", page=page + 1, pages=pages))
    buttons = []
    if page > 0:
        buttons.append(Button("«", f"{PAGE}{page - 1}"))
    if page < pages - 1:
        buttons.append(Button("»", f"{PAGE}{page + 1}"))
    return "\n".join(lines), [buttons]


@with_turn
async def members_command(update: Update, context: CustomContext, turn: Turn) -> None:
    text, keyboard = await _page(context, turn, 0)
    turn.reply(text, keyboard)


@with_turn
async def members_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    raw = (query.data or "").removeprefix(PAGE) if query else ""
    if query is None or not (raw.isdigit() or Menu(MenuItem.MEMBERS).pressed(query.data)):
        answer_stale(turn)
        return
    turn.answer()
    text, keyboard = await _page(context, turn, int(raw) if raw.isdigit() else 0)
    if raw.isdigit() and keyboard is not None:
        await show_or_edit(turn, text, keyboard)
    else:
        turn.reply(text, keyboard)


@with_turn
async def export_command(update: Update, context: CustomContext, turn: Turn) -> None:
    person = update.effective_user
    if person is None or not await staff.admit(update, context, turn, reviewers=True):
        return
    stamp = utcnow().astimezone(context.settings.zone).strftime("%Y-%m-%d")
    members = members_csv(await store.members(turn.session, public_only=False))
    applications = applications_csv(await store.all_applications(turn.session))
    await store.audit(turn.session, person.id, "exported", "register")
    turn.document((f"register-{stamp}.csv", members))
    turn.document((f"applications-{stamp}.csv", applications))


def register(app: IdeApplication) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("members", members_command, filters=private))
    app.add_handler(CommandHandler("export", export_command, filters=private))
    app.add_handler(CallbackQueryHandler(members_button, pattern=f"^{PAGE}"))
    app.add_handler(CallbackQueryHandler(members_button, pattern=Menu(MenuItem.MEMBERS).pressed))
