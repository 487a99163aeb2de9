"""The local Bot API served over HTTP on loopback, for benchmarks that run `idebot` (or
another bot) as a separate process: every call crosses a real socket, and can be made to
take `latency` seconds longer, as Telegram's servers are tens of milliseconds away."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application as WebApplication
from tornado.web import RequestHandler

from bot.local_api import LocalBotApi

JSON_PARAMETERS = frozenset({"commands", "scope", "reply_parameters", "link_preview_options",
                             "reply_markup", "allowed_updates"})  # fmt: skip


class ApiHandler(RequestHandler):
    """POST /bot<token>/<method>, as python-telegram-bot sends it, answered by the API."""

    def initialize(self, api: LocalBotApi, latency: float) -> None:
        self.api = api
        self.latency = latency

    async def post(self, method: str) -> None:
        params: dict[str, Any] = {
            key: values[0].decode() for key, values in self.request.body_arguments.items()
        }
        if not params and self.request.body.startswith(b"{"):
            params = json.loads(self.request.body)
        for key in JSON_PARAMETERS.intersection(params):  # sent as JSON text, kept as objects
            if isinstance(params[key], str):
                params[key] = json.loads(params[key])
        files = {
            key: (parts[0].filename, parts[0].body, parts[0].content_type)
            for key, parts in self.request.files.items()
        }
        if self.latency:
            await asyncio.sleep(self.latency)
        status, body = await self.api.call(method, params, files)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(body)


def serve(api: LocalBotApi, latency: float = 0.0) -> tuple[HTTPServer, str]:
    """Start serving `api` on a free loopback port; returns the server and the base URL to
    give python-telegram-bot (`TELEGRAM_API_BASE_URL`)."""
    web = WebApplication([(r"/bot[^/]*/(\w+)", ApiHandler, {"api": api, "latency": latency})])
    server = HTTPServer(web)
    sockets = bind_sockets(0, "127.0.0.1")
    server.add_sockets(sockets)
    return server, f"http://127.0.0.1:{sockets[0].getsockname()[1]}/bot"
