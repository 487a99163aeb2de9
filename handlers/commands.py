"""The command menu Telegram shows beside the text field, in the reader's language."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.config import SUPPORTED_LANGUAGES
from bot.i18n import I18n, Translator
from handlers.menu import COMMANDS

log = logging.getLogger(__name__)


def telegram_code(language: str) -> str | None:
    """The ISO 639-1 code Telegram chooses menus by; None for a language without one
    (easy-to-read Swedish, Syriac)."""
    return language if len(language) == 2 else None


def _commands(t: Translator) -> list[BotCommand]:
    return [BotCommand(name, t.lazy(description)) for name, description in COMMANDS]


async def publish_commands(bot: Bot, i18n: I18n) -> None:
    """The menu in every language Telegram can name, and in the default language for
    everyone else."""
    await bot.set_my_commands(_commands(i18n.translator(None)))
    for code in SUPPORTED_LANGUAGES:
        if telegram_code(code):
            await bot.set_my_commands(_commands(i18n.translator(code)), language_code=code)


async def set_chat_commands(bot: Bot, chat_id: int, t: Translator) -> None:
    """After a choice of language: the menu for this chat alone where Telegram cannot pick
    it by language code; else the chat's own menu goes and the language's applies."""
    scope = BotCommandScopeChat(chat_id)
    try:
        if telegram_code(t.language):
            await bot.delete_my_commands(scope=scope)
        else:
            await bot.set_my_commands(_commands(t), scope=scope)
    except TelegramError as error:  # the menu is a convenience: the chat goes on without it
        log.warning("command menu for chat %s not set: %s", chat_id, error)
