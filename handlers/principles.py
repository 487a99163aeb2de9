"""/principles: browse the agreement's principles, their text and commitments."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.buttons import Button, Rows
from bot.context import CustomContext, IdeApplication
from handlers.entries import BROWSE, PRINCIPLES, show_or_edit
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
    rows = [[Button(p.title, BROWSE + p.id)] for p in principles]
    return text, rows


@with_turn
async def principles_command(update: Update, context: CustomContext, turn: Turn) -> None:
    text, keyboard = principles_view(context, turn)
    turn.reply(text, keyboard)


@with_turn
async def principles_button(update: Update, context: CustomContext, turn: Turn) -> None:
    if update.callback_query:
        turn.answer()
    text, keyboard = principles_view(context, turn)
    if update.callback_query and update.callback_query.data == PRINCIPLES:
        await show_or_edit(turn, text, keyboard)  # "« All principles": go back in place
    else:
        turn.reply(text, keyboard)


def register(app: IdeApplication) -> None:
    app.add_handler(
        CommandHandler("principles", principles_command, filters=filters.ChatType.PRIVATE)
    )
    app.add_handler(CallbackQueryHandler(principles_button, pattern=f"^{PRINCIPLES}$"))
    app.add_handler(
        CallbackQueryHandler(principles_button, pattern=Menu(MenuItem.PRINCIPLES).pressed)
    )
