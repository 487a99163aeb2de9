"""What the bot says when nothing else matched: unknown commands, other input, groups,
and buttons it does not (or no longer) know."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.buttons import Button
from bot.context import CustomContext, IdeApplication
from handlers.menu import command_list, main_menu
from handlers.turn import Turn, with_turn


@with_turn
async def unknown_command(update: Update, context: CustomContext, turn: Turn) -> None:
    command = (
        (update.effective_message.text or "").split(maxsplit=1)[0]
        if update.effective_message
        else ""
    )
    text = turn.t.pgettext(
        "fallback",
        "I don't know the command {command}. This is what I can do:",
        command=command[:64],
    )
    turn.reply(text + "\n\n" + command_list(turn.t), main_menu(turn.t))


async def other_input_reply(turn: Turn) -> None:
    """Something the bot cannot read (a sticker, a photo, a voice message)."""
    text = turn.t.pgettext(
        "fallback",
        "Sorry, I didn't understand that. Choose something from the menu or send /help.",
    )
    turn.reply(text, main_menu(turn.t))


@with_turn
async def group_command(update: Update, context: CustomContext, turn: Turn) -> None:
    """In a group, point to a private chat: applications and reminders are personal."""
    link = f"https://t.me/{context.bot.username}"
    keyboard = [[Button(turn.t.pgettext("fallback", "Open a private chat"), url=link)]]
    turn.reply(
        turn.t.pgettext("fallback", "I work in private chats. Write to me directly, please."),
        keyboard,
    )


@with_turn
async def unknown_button(update: Update, context: CustomContext, turn: Turn) -> None:
    answer_stale(turn)


def answer_stale(turn: Turn) -> None:
    """A stale or forged button: say so, change nothing."""
    turn.answer(
        turn.t.pgettext("fallback", "This button no longer works. Send /start for the menu."),
        alert=True,
    )


def register(app: IdeApplication) -> None:
    private = filters.ChatType.PRIVATE
    # Registered last in group 0: within a group only the first matching handler runs,
    # so these see only what no feature handler took.
    app.add_handler(MessageHandler(private & filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, group_command))
    app.add_handler(CallbackQueryHandler(unknown_button))
