"""/calendar: the address of the person's own calendar feed (the forums they will come to),
to add to their calendar app with one tap, and a button that stops it (a new one comes with
the next /calendar)."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.buttons import Button, CallbackData
from bot.context import CustomContext, IdeApplication
from bot.links import LinkKind
from handlers.turn import Turn, with_turn
from storage import links


@dataclass(frozen=True)
class StopCalendarFeed(CallbackData):
    """ "Stop this address": revokes the person's feed link."""

    prefix = "calx"


def _available(context: CustomContext) -> bool:
    """Telegram takes buttons only to public addresses: on Telegram the feed needs
    WEB_BASE_URL (the console, with no token, shows the local one)."""
    settings = context.settings
    return settings.web_base_url is not None or settings.telegram_bot_token is None


@with_turn
async def calendar_command(update: Update, context: CustomContext, turn: Turn) -> None:
    t = turn.t
    if not _available(context):
        turn.reply(
            t.pgettext(
                "calendar",
                "Calendar feeds are not available on this bot yet. You can still add a forum "
                "to your calendar with the 📅 button under it in /forums.",
            )
        )
        return
    user = await turn.keep_user()
    link = await links.ensure(turn.session, LinkKind.CALENDAR, user.telegram_id)
    base = context.settings.public_url
    feed = f"{base}/calendar/{link.token}.ics"
    text = t.pgettext(
        "calendar",
        "📅 <b>Your forums in your own calendar</b>\n\n"
        "This address shows the forums you said you will come to, and those you are on the "
        "waitlist for, in your language. Your calendar app looks at it again by itself, so "
        "a new time or a cancellation shows there too.\n\n"
        "Tap the button, or copy the address into Google Calendar (“From URL”) or Outlook "
        "(“Subscribe from web”):\n<code>{url}</code>\n\n"
        "Keep the address to yourself: anyone who has it can see your forums.",
        url=feed,
    )
    rows = [
        [
            Button(
                t.pgettext("calendar", "📅 Add to my calendar"),
                url=f"{base}/calendar/{link.token}",
            )
        ],
        [StopCalendarFeed().button(t.pgettext("calendar", "🔒 Stop this address"))],
    ]
    turn.reply(text, rows)


@with_turn
async def stop_feed_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    if query is None:
        return
    await links.revoke(turn.session, LinkKind.CALENDAR, query.from_user.id, context.now())
    turn.answer()
    turn.edit(
        turn.t.pgettext(
            "calendar",
            "🔒 That address no longer works: calendars that use it stop showing your "
            "forums. Send /calendar for a new one.",
        )
    )


def register(app: IdeApplication) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("calendar", calendar_command, filters=private))
    app.add_handler(CallbackQueryHandler(stop_feed_button, pattern=StopCalendarFeed.matches))
