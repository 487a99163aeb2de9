"""/language: pick the interface language from native names; the choice is saved."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.buttons import CallbackData, Rows
from bot.config import SUPPORTED_LANGUAGES
from bot.context import CustomContext, IdeApplication
from bot.i18n import I18n, Translator, native_name, normalise_language
from handlers import subscriptions
from handlers.commands import set_chat_commands
from handlers.menu import Menu, MenuItem, main_menu
from handlers.turn import Turn, with_turn
from storage import users


@dataclass(frozen=True)
class ChooseLanguage(CallbackData):
    """From the picker: the picker becomes a confirmation."""

    prefix = "lang"
    language: str  # checked when pressed: a forged one is refused in words


@dataclass(frozen=True)
class SwitchLanguage(CallbackData):
    """Under an answer in another language: the answer stays, the button goes."""

    prefix = "langsw"
    language: str


def picker(current: str | None) -> Rows:
    """One button per language, in its own name, two to a row; the current one is ticked."""
    buttons = [
        ChooseLanguage(code).button(("✓ " if code == current else "") + native_name(code))
        for code in SUPPORTED_LANGUAGES
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


async def show_picker(turn: Turn, i18n: I18n | None = None) -> None:
    """The picker; with `i18n`, for someone whose language we do not know yet, the question
    is asked in a few words of every language, each line in its own direction."""
    person = turn.update.effective_user
    saved = turn.user.language if turn.user else None  # else Telegram's, if we speak it
    current = saved or normalise_language(person.language_code if person else None)
    if i18n is None:
        turn.reply(turn.t.pgettext("language", "Choose your language:"), picker(current))
        return
    lines = []
    for code in SUPPORTED_LANGUAGES:
        t = i18n.translator(code)
        lines.append(t.directional(t.pgettext("language", "Choose your language:")))
    turn.reply("\n".join(dict.fromkeys(lines)), picker(current))


@with_turn
async def language_command(update: Update, context: CustomContext, turn: Turn) -> None:
    await show_picker(turn)


@with_turn
async def language_menu_button(update: Update, context: CustomContext, turn: Turn) -> None:
    await show_picker(turn)


@with_turn
async def choose_language_button(update: Update, context: CustomContext, turn: Turn) -> None:
    """From the picker: the picker becomes the confirmation, with the menu."""
    t = await _save_choice(update, context, turn, ChooseLanguage)
    if t is not None and update.callback_query:
        turn.answer()
        turn.t = t
        turn.edit(_confirmation(t), main_menu(t))
        subscriptions.offer_once(turn)
        _chat_commands(context, update, t)


@with_turn
async def switch_language_button(update: Update, context: CustomContext, turn: Turn) -> None:
    """Under an answer: the answer stays, only the offer goes."""
    t = await _save_choice(update, context, turn, SwitchLanguage)
    if t is not None and update.callback_query:
        turn.answer(_confirmation(t))
        turn.drop_buttons(SwitchLanguage)
        _chat_commands(context, update, t)


async def _save_choice(
    update: Update, context: CustomContext, turn: Turn, kind: type[ChooseLanguage | SwitchLanguage]
) -> Translator | None:
    """Save the language a button names; None (and a word why) if it is not one of ours."""
    query = update.callback_query
    button = kind.parse(query.data) if query else None
    if query is None or query.from_user is None or button is None:
        return None
    code = button.language
    chosen = normalise_language(code)
    if chosen is None or chosen != code:  # button data can be forged
        turn.answer(turn.t.pgettext("language", "That language is not available."))
        return None
    await users.set_language(turn.session, query.from_user.id, chosen)
    return context.i18n.translator(chosen)


def _chat_commands(context: CustomContext, update: Update, t: Translator) -> None:
    """Telegram chooses the command menu by ISO 639-1 code, which easy-to-read Swedish and
    Syriac lack: their readers get the menu in their language for their chat alone (and lose
    it again when they choose a language Telegram knows)."""
    chat = update.effective_chat
    if chat is not None:
        context.application.create_task(set_chat_commands(context.bot, chat.id, t), update=update)


def _confirmation(t: Translator) -> str:
    return t.pgettext(
        "language",
        "Language: {language}. You can change it any time with /language.",
        language=native_name(t.language),
    )


def register(app: IdeApplication) -> None:
    app.add_handler(CommandHandler("language", language_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(
        CallbackQueryHandler(language_menu_button, pattern=Menu(MenuItem.LANGUAGE).pressed)
    )
    app.add_handler(CallbackQueryHandler(choose_language_button, pattern=ChooseLanguage.matches))
    app.add_handler(CallbackQueryHandler(switch_language_button, pattern=SwitchLanguage.matches))
