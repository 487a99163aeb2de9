"""Invitations by consent: /subscribe, /unsubscribe, the menu button, one question to a new
user after /start (`offer_once`), and noticing when someone blocks (or unblocks) the bot."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, ChatMemberHandler, CommandHandler, filters

from bot.buttons import CallbackData, Rows
from bot.context import CustomContext, IdeApplication
from bot.i18n import Translator
from handlers.fallback import answer_stale
from handlers.menu import Menu, MenuItem
from handlers.minutes import summaries_hint
from handlers.turn import Turn, with_turn
from storage import outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubscribeButton(CallbackData):
    """The answer to "Would you like invitations?"; packs as `sub:y|n`."""

    prefix = "sub"
    yes: bool


def offer(t: Translator) -> tuple[str, Rows]:
    text = t.pgettext(
        "subscriptions",
        "Would you like invitations to the municipality's dialogue forums, reminders and the "
        "occasional newsletter here, in your language? Nothing is sent without your yes, and "
        "/unsubscribe stops it any time.",
    )
    keyboard = [
        [
            SubscribeButton(yes=True).button(t.pgettext("subscriptions", "🔔 Yes, please")),
            SubscribeButton(yes=False).button(t.pgettext("subscriptions", "No, thanks")),
        ]
    ]
    return text, keyboard


def _subscribed_text(t: Translator) -> str:
    text = t.pgettext(
        "subscriptions",
        "🔔 You will get invitations to dialogue forums and the newsletter. /unsubscribe "
        "stops them.",
    )
    return f"{text}\n\n{summaries_hint(t)}"


def _unsubscribed_text(t: Translator) -> str:
    return t.pgettext(
        "subscriptions",
        "🔕 You will get no invitations or newsletters. Reminders for forums you said you "
        "will come to still arrive. /subscribe to get invitations.",
    )


def offer_once(turn: Turn) -> None:
    """After /start (or the first choice of language): ask a new user once."""
    user = turn.user  # none yet: asked until they answer (keeping "asked" is keeping them)
    if user is not None and (user.subscription_asked or user.subscribed or not user.language):
        return
    if user is not None:
        user.subscription_asked = True
    text, keyboard = offer(turn.t)
    turn.reply(text, keyboard)


@with_turn
async def subscribe_command(update: Update, context: CustomContext, turn: Turn) -> None:
    user = await turn.keep_user()
    user.subscribed = user.subscription_asked = True
    turn.reply(_subscribed_text(turn.t))


@with_turn
async def unsubscribe_command(update: Update, context: CustomContext, turn: Turn) -> None:
    if turn.user is not None:  # nothing kept: nothing to stop
        turn.user.subscribed, turn.user.subscription_asked = False, True
    turn.reply(_unsubscribed_text(turn.t))


@with_turn
async def subscription_menu_button(update: Update, context: CustomContext, turn: Turn) -> None:
    if update.callback_query:
        turn.answer()
    if turn.user is not None and turn.user.subscribed:
        turn.reply(_subscribed_text(turn.t))
    else:
        turn.reply(*offer(turn.t))


@with_turn
async def answer_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = SubscribeButton.parse(query.data if query else None)
    if button is None:
        answer_stale(turn)
        return
    user = await turn.keep_user()
    user.subscribed, user.subscription_asked = button.yes, True
    turn.answer()
    turn.edit(_subscribed_text(turn.t) if button.yes else _unsubscribed_text(turn.t))


async def membership_changed(update: Update, context: CustomContext) -> None:
    """Telegram tells us when a person blocks the bot (kicked) or unblocks it (member)."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    blocked = change.new_chat_member.status in {ChatMember.BANNED, ChatMember.LEFT}
    async with context.db.transaction() as session:
        await outbox.set_blocked(session, change.from_user.id, blocked)
    log.info("user %s %s the bot", change.from_user.id, "blocked" if blocked else "unblocked")


def register(app: IdeApplication) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("subscribe", subscribe_command, filters=private))
    app.add_handler(CommandHandler("unsubscribe", unsubscribe_command, filters=private))
    app.add_handler(
        CallbackQueryHandler(subscription_menu_button, pattern=Menu(MenuItem.SUBSCRIBE).pressed)
    )
    app.add_handler(CallbackQueryHandler(answer_button, pattern=SubscribeButton.matches))
    app.add_handler(ChatMemberHandler(membership_changed, ChatMemberHandler.MY_CHAT_MEMBER))
