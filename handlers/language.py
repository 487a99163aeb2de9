"""/language: pick the interface language from native names; the choice is saved."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.config import SUPPORTED_LANGUAGES, Language
from bot.context import CustomContext, IdeApplication
from bot.i18n import native_name, normalise_language
from handlers.menu import MENU_LANGUAGE, main_menu
from handlers.turn import Turn, with_turn
from storage import users

CHOOSE = "lang:"  # lang:<code>   from the picker: the picker becomes a confirmation
SWITCH = "langsw:"  # langsw:<code>  under an answer: the answer stays, the button goes


def picker(current: str | None) -> InlineKeyboardMarkup:
    """One button per language, in its own name; the current one is ticked."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    ("✓ " if code == current else "") + native_name(code),
                    callback_data=CHOOSE + code,
                )
            ]
            for code in SUPPORTED_LANGUAGES
        ]
    )


async def show_picker(turn: Turn) -> None:
    current = turn.user.language if turn.user else None
    await turn.reply(turn.t.pgettext("language", "Choose your language:"), picker(current))


@with_turn
async def language_command(update: Update, context: CustomContext, turn: Turn) -> None:
    await show_picker(turn)


@with_turn
async def language_menu_button(update: Update, context: CustomContext, turn: Turn) -> None:
    if update.callback_query:
        await update.callback_query.answer()
    await show_picker(turn)


@with_turn
async def choose_language_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    if query is None or query.from_user is None:
        return
    chosen = _supported((query.data or "").removeprefix(CHOOSE))
    if chosen is None:
        await query.answer(turn.t.pgettext("language", "That language is not available."))
        return
    await users.set_language(turn.session, query.from_user.id, chosen)
    t = context.i18n.translator(chosen)
    turn.t = t
    await query.answer()
    await turn.edit(
        t.pgettext(
            "language",
            "Language: {language}. You can change it any time with /language.",
            language=native_name(chosen),
        ),
        main_menu(t),
    )


@with_turn
async def switch_language_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    if query is None or query.from_user is None:
        return
    chosen = _supported((query.data or "").removeprefix(SWITCH))
    if chosen is None:
        await query.answer(turn.t.pgettext("language", "That language is not available."))
        return
    await users.set_language(turn.session, query.from_user.id, chosen)
    t = context.i18n.translator(chosen)
    await query.answer(
        t.pgettext(
            "language",
            "Language: {language}. You can change it any time with /language.",
            language=native_name(chosen),
        )
    )
    await turn.drop_buttons(SWITCH)


def _supported(code: str) -> Language | None:
    """`code` if it is exactly one of our language codes (button data can be forged)."""
    chosen = normalise_language(code)
    return chosen if chosen == code else None


def register(app: IdeApplication) -> None:
    app.add_handler(CommandHandler("language", language_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(language_menu_button, pattern=f"^{MENU_LANGUAGE}$"))
    app.add_handler(CallbackQueryHandler(choose_language_button, pattern=f"^{CHOOSE}"))
    app.add_handler(CallbackQueryHandler(switch_language_button, pattern=f"^{SWITCH}"))
