"""/principles: browse the agreement's principles, their text and commitments."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.buttons import Rows
from bot.context import CustomContext, IdeApplication
from handlers.entries import AllPrinciples, BrowseEntry, show_or_edit
from handlers.menu import Menu, MenuItem
from handlers.turn import Turn, with_turn


def principles_view(context: CustomContext, turn: Turn) -> tuple[str, Rows]:
    t = turn.t
    info = context.pack.info(t.language)
    principles = context.pack.principles(t.language)
    text = t.npgettext(
        "principles",
        "<b>{name}</b> ({municipality}) rests on {n} principle. Choose one to read it:",
        "<b>{name}</b> ({municipality}) rests on {n} principles. Choose one to read it:",
        len(principles),
        name=info.name,
        municipality=info.municipality,
    )
    rows = [[BrowseEntry(p.id).button(p.title)] for p in principles]
    return text, rows


@with_turn
async def principles_command(update: Update, context: CustomContext, turn: Turn) -> None:
    text, keyboard = principles_view(context, turn)
    turn.reply(text, keyboard)


@with_turn
async def principles_menu_button(update: Update, context: CustomContext, turn: Turn) -> None:
    text, keyboard = principles_view(context, turn)
    turn.reply(text, keyboard)


@with_turn
async def all_principles_button(update: Update, context: CustomContext, turn: Turn) -> None:
    """« All principles: back to the list, in place."""
    text, keyboard = principles_view(context, turn)
    await show_or_edit(turn, text, keyboard)


def register(app: IdeApplication) -> None:
    app.add_handler(
        CommandHandler("principles", principles_command, filters=filters.ChatType.PRIVATE)
    )
    app.add_handler(CallbackQueryHandler(all_principles_button, pattern=AllPrinciples.matches))
    app.add_handler(
        CallbackQueryHandler(principles_menu_button, pattern=Menu(MenuItem.PRINCIPLES).pressed)
    )
