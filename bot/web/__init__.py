"""The web side of the bot: calendar feeds, open data, public pages, health and metrics,
and (in webhook mode) Telegram's updates, on one ASGI server beside the bot."""

from __future__ import annotations

from starlette.requests import Request

from bot.context import IdeApplication


def bot_of(request: Request) -> IdeApplication:
    """The running bot whose database, knowledge and translations a page reads."""
    app: IdeApplication = request.app.state.bot
    return app
