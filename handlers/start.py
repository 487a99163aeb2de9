"""/start, /help and the main menu."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import CustomContext, IdeApplication
from bot.i18n import normalise_language
from handlers import language, subscriptions
from handlers.menu import Menu, MenuItem, command_list, main_menu
from handlers.turn import Turn, with_turn


@with_turn
async def start(update: Update, context: CustomContext, turn: Turn) -> None:
    t = turn.t
    welcome = t.pgettext(
        "start",
        "<b>Welcome to idebot!</b>\n\n"
        "I help associations, foundations and faith communities with the collaboration "
        "agreement between the non-profit sector and the municipality, in your own language.",
    )
    person = update.effective_user
    saved = turn.user.language if turn.user else None
    if not (saved or normalise_language(person.language_code if person else None)):
        # No choice yet, and Telegram's language is not one we speak: let the person pick.
        turn.reply(welcome)
        await language.show_picker(turn, context.i18n)
        return
    turn.reply(welcome, main_menu(t))
    subscriptions.offer_once(turn)


@with_turn
async def help_command(update: Update, context: CustomContext, turn: Turn) -> None:
    turn.reply(_help_text(turn), main_menu(turn.t))


@with_turn
async def help_button(update: Update, context: CustomContext, turn: Turn) -> None:
    turn.reply(_help_text(turn), main_menu(turn.t))


def _help_text(turn: Turn) -> str:
    heading = turn.t.pgettext("help", "<b>What I can do</b>")
    return heading + "\n\n" + command_list(turn.t)


def register(app: IdeApplication) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("start", start, filters=private))
    app.add_handler(CommandHandler("help", help_command, filters=private))
    app.add_handler(CallbackQueryHandler(help_button, pattern=Menu(MenuItem.HELP).pressed))
