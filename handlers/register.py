"""/members: the public register, page by page; /export for staff: CSV files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import escape
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.buttons import CallbackData, Rows
from bot.context import CustomContext, IdeApplication
from bot.i18n import Translator
from bot.register_export import applications_csv, members_csv
from handlers import staff
from handlers.entries import show_or_edit
from handlers.fallback import answer_stale
from handlers.link_buttons import org_links_row
from handlers.menu import Menu, MenuItem
from handlers.turn import Turn, with_turn
from storage import applications as store
from storage.models import Member, utcnow

PAGE_SIZE = 10


@dataclass(frozen=True)
class MembersPage(CallbackData):
    """A page of the public register (0 is the first)."""

    prefix = "mb"
    page: int


async def _page(turn: Turn, page: int) -> tuple[str, Rows]:
    """The public register's page `page` (clamped to the pages there are), with « and »."""
    total = await store.count_members(turn.session, public_only=True)
    if total == 0:
        return turn.t.pgettext("register", "No organisations are in the public register yet."), ()
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 0), pages - 1)
    found = await store.members(
        turn.session, public_only=True, offset=page * PAGE_SIZE, limit=PAGE_SIZE
    )
    row = []
    if page > 0:
        row.append(MembersPage(page - 1).button("«"))
    if page < pages - 1:
        row.append(MembersPage(page + 1).button("»"))
    return _listing(turn.t, found, total, page, pages), [row]


def _listing(t: Translator, found: Sequence[Member], total: int, page: int, pages: int) -> str:
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
    return "\n".join(lines)


@with_turn
async def members_command(update: Update, context: CustomContext, turn: Turn) -> None:
    text, keyboard = await _page(turn, 0)
    person = update.effective_user
    if person and await staff.is_reviewer(context, turn.session, person.id):
        keyboard = [*keyboard, org_links_row(turn.t)]
    turn.reply(text, keyboard)


@with_turn
async def members_menu_button(update: Update, context: CustomContext, turn: Turn) -> None:
    text, keyboard = await _page(turn, 0)
    turn.reply(text, keyboard)


@with_turn
async def members_page_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = MembersPage.parse(query.data if query else None)
    if button is None:
        answer_stale(turn)
        return
    text, keyboard = await _page(turn, button.page)
    await show_or_edit(turn, text, keyboard)


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
    app.add_handler(CallbackQueryHandler(members_page_button, pattern=MembersPage.matches))
    app.add_handler(
        CallbackQueryHandler(members_menu_button, pattern=Menu(MenuItem.MEMBERS).pressed)
    )
