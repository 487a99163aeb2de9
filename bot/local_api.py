"""A local Bot API: python-telegram-bot's `BaseRequest` answered in-process, without network.

It keeps chats and messages so that edits and button presses work, refuses what Telegram
refuses (over-long texts, bad HTML, long button data, edits that change nothing), and can be
told to fail the way Telegram fails (429 with `retry_after`, 403 for a blocked bot, time-outs).
The console (`idebot shell`), the tests and the benchmarks all use it with the real
`Application`; `LocalUser` plays the person on the other side of a chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.telegram_html import ParseError, parse, utf16_length

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
SENDING_METHODS = frozenset({"sendMessage", "sendDocument", "copyMessage", "forwardMessage"})
BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "idebot",
    "username": "idebot_local_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

JSON = dict[str, Any]


class ApiError(Exception):
    """A Bot API error answer: HTTP status, Telegram's description, optional parameters."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class Message:
    """A message as the local Bot API keeps it."""

    chat_id: int
    message_id: int
    from_bot: bool
    text: str = ""
    html: str = ""
    reply_markup: JSON | None = None
    document: tuple[str, bytes, str] | None = None
    caption: str = ""
    entities: list[JSON] = field(default_factory=list)  # of the text, or of the caption
    date: int = field(default_factory=lambda: int(time.time()))
    reply_to: int | None = None
    edits: int = 0

    @property
    def buttons(self) -> list[JSON]:
        """The inline buttons, row after row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    @property
    def button_texts(self) -> list[str]:
        return [button["text"] for button in self.buttons]


@dataclass
class Event:
    """Something the bot did that a person would see."""

    kind: str  # "sent", "edited", "deleted", "answered"
    message: Message | None
    text: str = ""


@dataclass
class _Chat:
    id: int
    type: str
    title: str | None = None
    messages: dict[int, Message] = field(default_factory=dict)
    next_id: int = 1


class LocalBotApi(BaseRequest):
    """The Bot API methods idebot uses, answered in-process."""

    def __init__(
        self,
        *,
        overall_rate: float | None = None,
        per_chat_rate: float | None = None,
        inject_429: float = 0.0,
        retry_after: int = 1,
        seed: int = 0,
    ) -> None:
        self.overall_rate = overall_rate
        self.per_chat_rate = per_chat_rate
        self.inject_429 = inject_429
        self.retry_after = retry_after
        self.blocked: set[int] = set()
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.events: list[Event] = []
        self.listeners: list[Callable[[Event], None]] = []
        self.requests: list[tuple[str, JSON]] = []
        self.files: dict[str, tuple[str, bytes, str]] = {}  # file_id → (name, content, type)
        self._chats: dict[int, _Chat] = {}
        self._random = random.Random(seed)  # noqa: S311  (simulated faults, not security)
        self._timeouts_left = 0
        self._refusals: dict[str, list[int]] = {}  # method → retry_after of the next 429s
        self.offline: str | None = None  # "refused" or "502": Telegram cannot be reached
        self._updates: list[JSON] = []  # for getUpdates (long polling over HTTP)
        self._new_updates = asyncio.Event()
        self._sent_overall: deque[float] = deque()
        self._sent_per_chat: dict[int, deque[float]] = {}
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._methods: dict[str, Callable[[JSON, JSON], Any]] = {
            "getMe": lambda _p, _f: BOT_USER,
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "copyMessage": self._copy_message,
            "sendChatAction": lambda _p, _f: True,
            "deleteWebhook": lambda _p, _f: True,
        }

    # -- configuration of failures ---------------------------------------------------------

    def time_out_next(self, calls: int = 1) -> None:
        """Make the next `calls` requests time out, as a slow network would."""
        self._timeouts_left = calls

    def refuse_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with 429 and `retry_after`."""
        self._refusals.setdefault(method, []).extend([retry_after] * times)

    def go_offline(self, how: str = "refused") -> None:
        """Telegram cannot be reached: connections are refused, or a proxy answers 502."""
        if how not in {"refused", "502"}:
            raise ValueError("an outage is 'refused' or '502'")
        self.offline = how

    def go_online(self) -> None:
        self.offline = None

    def push_update(self, update: JSON) -> None:
        """Hold an update for the next getUpdates (a bot polling over HTTP)."""
        self._updates.append(update)
        self._new_updates.set()

    def block(self, chat_id: int) -> None:
        """The person in `chat_id` has blocked the bot: sending there answers 403."""
        self.blocked.add(chat_id)

    # -- what tests and the console look at ------------------------------------------------

    def open_chat(
        self, chat_id: int, chat_type: str = "private", title: str | None = None
    ) -> None:
        """A chat the bot may write to (a private chat exists once the person wrote /start)."""
        self._chats.setdefault(chat_id, _Chat(chat_id, chat_type, title))

    def messages(self, chat_id: int) -> list[Message]:
        """Every message in the chat still visible, oldest first."""
        chat = self._chats.get(chat_id)
        return list(chat.messages.values()) if chat else []

    def bot_messages(self, chat_id: int) -> list[Message]:
        return [message for message in self.messages(chat_id) if message.from_bot]

    # -- BaseRequest -----------------------------------------------------------------------

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(  # noqa: PLR0917  (BaseRequest's signature)
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = None,
        write_timeout: object = None,
        connect_timeout: object = None,
        pool_timeout: object = None,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params: JSON = dict(request_data.parameters) if request_data else {}
        files: JSON = (
            dict(request_data.multipart_data)
            if request_data and request_data.contains_files
            else {}
        )
        return await self.call(api_method, params, files)

    async def call(
        self, api_method: str, params: JSON, files: JSON | None = None
    ) -> tuple[int, bytes]:
        """Answer one Bot API call: HTTP status and JSON body (also for serving it over HTTP
        to other processes, as the broadcast benchmark does)."""
        files = files or {}
        self.requests.append((api_method, params))
        await asyncio.sleep(0)  # a real round trip yields to the event loop
        if self._timeouts_left > 0:
            self._timeouts_left -= 1
            raise TimedOut("Timed out (injected by the local Bot API)")
        if self.offline == "refused":
            raise NetworkError("httpx.ConnectError: [Errno 111] Connection refused (injected)")
        if self.offline == "502":
            return 502, b"<html><body>502 Bad Gateway</body></html>"
        if api_method == "getUpdates":  # long polling: may wait, so not in the table's try
            return 200, json.dumps({"ok": True, "result": await self._poll(params)}).encode()
        handler = self._methods.get(api_method, self._unknown_method)
        try:
            if self._refusals.get(api_method):
                raise self._too_many(self._refusals[api_method].pop(0))
            if api_method in SENDING_METHODS:
                self._admit(int(params.get("chat_id", 0)))
            result = handler(params, files)
        except ApiError as error:
            body: JSON = {
                "ok": False,
                "error_code": error.status,
                "description": error.description,
            }
            if error.parameters:
                body["parameters"] = error.parameters
            return error.status, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()

    @staticmethod
    def _unknown_method(_params: JSON, _files: JSON) -> None:
        raise ApiError(404, "Not Found: method not found")

    # -- limits ----------------------------------------------------------------------------

    def _admit(self, chat_id: int) -> None:
        """Refuse a send the way Telegram does: blocked (403), or over a rate (429)."""
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id not in self._chats:
            raise bad_request("chat not found")
        if self.inject_429 and self._random.random() < self.inject_429:
            raise self._too_many(self.retry_after)
        now = time.monotonic()
        per_chat = self._sent_per_chat.setdefault(chat_id, deque())
        for window, rate in (
            (self._sent_overall, self.overall_rate),
            (per_chat, self.per_chat_rate),
        ):
            while window and window[0] <= now - 1.0:
                window.popleft()
            if rate is not None and len(window) >= rate:
                raise self._too_many(max(1, math.ceil(window[0] + 1.0 - now)))
        self._sent_overall.append(now)
        per_chat.append(now)

    @staticmethod
    def _too_many(retry_after: int) -> ApiError:
        return ApiError(
            429,
            f"Too Many Requests: retry after {retry_after}",
            {"retry_after": retry_after},
        )

    # -- methods ---------------------------------------------------------------------------

    def _chat(self, params: JSON) -> _Chat:
        chat = self._chats.get(int(params.get("chat_id", 0)))
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _message(self, params: JSON) -> Message:
        message = self._chat(params).messages.get(int(params.get("message_id", 0)))
        if message is None:
            raise bad_request("message to edit not found")
        return message

    def _send_message(self, params: JSON, _files: JSON) -> JSON:
        text, source, entities = _parse_text(
            str(params.get("text", "")), params.get("parse_mode"), MAX_TEXT
        )
        if not text.strip():
            raise bad_request("message text is empty")
        markup = _check_markup(params.get("reply_markup"))
        message = self._store(self._chat(params), text, source, markup)
        message.entities = entities
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message.reply_to = int(reply.get("message_id", 0))
        return self._emit("sent", message)

    def _send_document(self, params: JSON, files: JSON) -> JSON:
        caption, source, entities = _parse_text(
            str(params.get("caption", "")), params.get("parse_mode"), MAX_CAPTION, "caption"
        )
        if "document" in files:
            filename, content, mimetype = files["document"]
            data = content if isinstance(content, bytes) else content.read()
            document = (str(filename), data, str(mimetype))
        elif str(params.get("document", "")) in self.files:  # a file_id Telegram knows
            document = self.files[str(params["document"])]
        else:
            raise bad_request("wrong file identifier/HTTP URL specified")
        message = self._store(
            self._chat(params), "", "", _check_markup(params.get("reply_markup"))
        )
        message.caption, message.html, message.entities = caption, source, entities
        message.document = document
        return self._emit("sent", message)

    def _edit_message_text(self, params: JSON, _files: JSON) -> JSON:
        message = self._editable(params)
        text, source, entities = _parse_text(
            str(params.get("text", "")), params.get("parse_mode"), MAX_TEXT
        )
        if not text.strip():
            raise bad_request("message text is empty")
        markup = _check_markup(params.get("reply_markup"))
        if text == message.text and source == message.html and markup == message.reply_markup:
            raise _not_modified()
        message.text, message.html, message.reply_markup = text, source, markup
        message.entities = entities
        message.edits += 1
        return self._emit("edited", message)

    def _edit_reply_markup(self, params: JSON, _files: JSON) -> JSON:
        message = self._editable(params)
        markup = _check_markup(params.get("reply_markup"))
        if markup == message.reply_markup:
            raise _not_modified()
        message.reply_markup = markup
        message.edits += 1
        return self._emit("edited", message)

    def _editable(self, params: JSON) -> Message:
        message = self._message(params)
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    def _delete_message(self, params: JSON, _files: JSON) -> bool:
        chat = self._chat(params)
        message = chat.messages.pop(int(params.get("message_id", 0)), None)
        if message is None:
            raise bad_request("message to delete not found")
        self._emit("deleted", message)
        return True

    def _copy_message(self, params: JSON, _files: JSON) -> JSON:
        source_chat = self._chats.get(int(params.get("from_chat_id", 0)))
        original = (
            source_chat.messages.get(int(params.get("message_id", 0))) if source_chat else None
        )
        if original is None:
            raise bad_request("message to copy not found")
        copy = self._store(self._chat(params), original.text, original.html, None)
        copy.entities = list(original.entities)
        self._emit("sent", copy)
        return {"message_id": copy.message_id}

    def _answer_callback_query(self, params: JSON, _files: JSON) -> bool:
        text = str(params.get("text", ""))
        if utf16_length(text) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        self._record(Event("answered", None, text))
        return True

    async def _poll(self, params: JSON) -> list[JSON]:
        """getUpdates: confirm what came before `offset`, then wait up to `timeout` seconds
        for updates and return them."""
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._new_updates.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_updates.wait(), float(params.get("timeout") or 0))
        return self._updates[: int(params.get("limit") or 100)]

    def _set_my_commands(self, params: JSON, _files: JSON) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            name, description = command.get("command", ""), command.get("description", "")
            if not (1 <= len(name) <= 32 and name.replace("_", "").isalnum() and name.islower()):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        code = params.get("language_code") or ""
        if code and not (len(code) == 2 and code.isalpha()):  # ISO 639-1 only, as Telegram
            raise bad_request("LANGUAGE_CODE_INVALID")
        self.commands[_commands_key(params)] = list(commands)
        return True

    def _get_my_commands(self, params: JSON, _files: JSON) -> list[JSON]:
        return self.commands.get(_commands_key(params), [])

    def _delete_my_commands(self, params: JSON, _files: JSON) -> bool:
        self.commands.pop(_commands_key(params), None)
        return True

    # -- bookkeeping -----------------------------------------------------------------------

    def _store(self, chat: _Chat, text: str, source: str, markup: JSON | None) -> Message:
        message = Message(chat.id, chat.next_id, from_bot=True, text=text, html=source)
        message.reply_markup = markup
        chat.next_id += 1
        chat.messages[message.message_id] = message
        return message

    def _emit(self, kind: str, message: Message) -> JSON:
        self._record(Event(kind, message))
        return self.message_json(message)

    def _record(self, event: Event) -> None:
        self.events.append(event)
        for listener in self.listeners:
            listener(event)

    def message_json(self, message: Message) -> JSON:
        chat = self._chats[message.chat_id]
        data: JSON = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": {"id": chat.id, "type": chat.type},
            "text": message.text,
        }
        if chat.title:
            data["chat"]["title"] = chat.title
        if message.from_bot:
            data["from"] = BOT_USER
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if message.document:
            filename, content, mimetype = message.document
            data.pop("text")
            data["caption"] = message.caption
            file_id = f"local-{chat.id}-{message.message_id}"
            self.files.setdefault(file_id, message.document)
            data["document"] = {
                "file_id": file_id,
                "file_unique_id": f"u{chat.id}x{message.message_id}",
                "file_name": filename,
                "mime_type": mimetype,
                "file_size": len(content),
            }
        if message.entities:  # sent in HTML: Telegram returns the formatting as entities
            data["caption_entities" if message.document else "entities"] = message.entities
        return data

    # -- the person's side -----------------------------------------------------------------

    def incoming(
        self,
        chat_id: int,
        user: JSON,
        text: str,
        *,
        reply_to: Message | None = None,
        document: tuple[str, bytes, str] | None = None,
        photo: bool = False,
    ) -> JSON:
        """Record a message a person sends (text, a file or a photo); return it as an update."""
        chat = self._chats[chat_id]
        message = Message(chat_id, chat.next_id, from_bot=False, text=text, html=text)
        message.document = document
        chat.next_id += 1
        chat.messages[message.message_id] = message
        data = self.message_json(message)
        data["from"] = user
        if reply_to is not None:
            message.reply_to = reply_to.message_id
            data["reply_to_message"] = self.message_json(reply_to)
        if photo:
            data.pop("text", None)
            data["photo"] = [
                {"file_id": f"photo-{message.message_id}", "file_unique_id": "p", "width": 90,
                 "height": 90, "file_size": 1000}
            ]  # fmt: skip
        entities = _command_entities(text)
        if entities:
            data["entities"] = entities
        return {"update_id": next(self._update_ids), "message": data}

    def member_update(self, chat_id: int, user: JSON, old: str, new: str) -> JSON:
        """Telegram's `my_chat_member` update: in a private chat, "kicked" means the person
        blocked the bot, "member" that they unblocked it."""
        bot_member = {"user": BOT_USER}
        return {
            "update_id": next(self._update_ids),
            "my_chat_member": {
                "chat": {"id": chat_id, "type": self._chats[chat_id].type},
                "from": user,
                "date": int(time.time()),
                "old_chat_member": {**bot_member, "status": old}
                | ({"until_date": 0} if old == "kicked" else {}),
                "new_chat_member": {**bot_member, "status": new}
                | ({"until_date": 0} if new == "kicked" else {}),
            },
        }

    def callback(self, message: Message, user: JSON, data: str) -> JSON:
        """A button press as an update (the data need not be on the message: forgeries too)."""
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": str(next(self._callback_ids)),
                "from": user,
                "chat_instance": str(message.chat_id),
                "data": data,
                "message": self.message_json(message),
            },
        }


class LocalUser:
    """A person chatting with the bot through the local Bot API (tests and the console)."""

    def __init__(
        self,
        api: LocalBotApi,
        application: Application[Any, Any, Any, Any, Any, Any],
        user_id: int,
        *,
        first_name: str = "Testa",
        language_code: str | None = None,
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> None:
        self.api = api
        self.application = application
        self.user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            self.user["language_code"] = language_code
        self.chat_id = chat_id if chat_id is not None else user_id
        api.open_chat(self.chat_id, chat_type, None if chat_type == "private" else "Förening")

    @property
    def id(self) -> int:
        return int(self.user["id"])

    async def send(self, text: str, reply_to: Message | None = None) -> list[Message]:
        """Send a text message (optionally as a reply); return the bot's messages sent or
        edited in this chat in response."""
        return await self._deliver(
            self.api.incoming(self.chat_id, self.user, text, reply_to=reply_to)
        )

    async def send_document(
        self, filename: str, content: bytes, mime_type: str, caption: str = ""
    ) -> list[Message]:
        """Send a file, as Telegram's 📎 → File does."""
        update = self.api.incoming(
            self.chat_id, self.user, caption, document=(filename, content, mime_type)
        )
        return await self._deliver(update)

    async def send_photo(self) -> list[Message]:
        """Send a photo (where the bot may expect a document)."""
        return await self._deliver(self.api.incoming(self.chat_id, self.user, "", photo=True))

    def queue(self, text: str) -> None:
        """Send a text message the way Telegram's updates arrive in production: onto the
        Application's update queue, handled concurrently with others (await
        `application.update_queue.join()` for the answers)."""
        self.application.update_queue.put_nowait(
            Update.de_json(self.api.incoming(self.chat_id, self.user, text), self.application.bot)
        )

    def queue_press(self, data: str, message: Message) -> None:
        """A button press onto the update queue (see `queue`)."""
        self.application.update_queue.put_nowait(
            Update.de_json(self.api.callback(message, self.user, data), self.application.bot)
        )

    async def press(self, label: str, message: Message | None = None) -> list[Message]:
        """Press the button whose text is `label`, or else the one that contains it, on
        `message` (default: the last message with buttons)."""
        target = message or self.last_with_buttons()
        pressable = [b for b in target.buttons if "callback_data" in b]
        matches = [b for b in pressable if b["text"] == label] or [
            b for b in pressable if label in b["text"]
        ]
        if len(matches) != 1:
            raise LookupError(f"{len(matches)} buttons match {label!r}: {target.button_texts}")
        return await self.press_data(matches[0]["callback_data"], target)

    async def press_data(self, data: str, message: Message | None = None) -> list[Message]:
        """Send a callback query with any data, as a forged or stale button would."""
        target = message or self.last_with_buttons()
        return await self._deliver(self.api.callback(target, self.user, data))

    async def block_bot(self) -> None:
        """Block the bot: sends answer 403 from now on, and Telegram tells the bot."""
        self.api.block(self.chat_id)
        await self._deliver(self.api.member_update(self.chat_id, self.user, "member", "kicked"))

    async def unblock_bot(self) -> None:
        self.api.blocked.discard(self.chat_id)
        await self._deliver(self.api.member_update(self.chat_id, self.user, "kicked", "member"))

    def last_with_buttons(self) -> Message:
        for message in reversed(self.api.bot_messages(self.chat_id)):
            if message.buttons:
                return message
        raise LookupError("no message with buttons in this chat")

    @property
    def answers(self) -> list[str]:
        """Texts of the pop-up answers to button presses so far."""
        return [event.text for event in self.api.events if event.kind == "answered"]

    async def _deliver(self, update: JSON) -> list[Message]:
        start = len(self.api.events)
        await self.application.process_update(Update.de_json(update, self.application.bot))
        seen: dict[tuple[int, int], Message] = {}
        for event in self.api.events[start:]:
            message = event.message
            if message and message.chat_id == self.chat_id and event.kind in {"sent", "edited"}:
                seen[(message.chat_id, message.message_id)] = message
        return list(seen.values())


def _parse_text(
    text: str, parse_mode: object, limit: int, what: str = "message"
) -> tuple[str, str, list[JSON]]:
    """Return (plain text, source, entities) or raise Telegram's error for bad HTML or a
    long text."""
    entities: list[JSON] = []
    if parse_mode == "HTML":
        try:
            plain, entities = parse(text)
        except ParseError as error:
            raise bad_request(str(error)) from None
    elif parse_mode in (None, ""):
        plain = text
    else:
        raise bad_request(f"unsupported parse_mode {parse_mode!r} in the local Bot API")
    if utf16_length(plain) > limit:
        raise bad_request(
            "message is too long" if what == "message" else "message caption is too long"
        )
    return plain, text, entities


def _check_markup(markup: object) -> JSON | None:
    if markup is None:
        return None
    if isinstance(markup, str):
        markup = json.loads(markup)
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not str(button.get("text", "")).strip():
                raise bad_request("BUTTON_TEXT_INVALID")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup


def _not_modified() -> ApiError:
    return bad_request(
        "message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )


def _commands_key(params: JSON) -> tuple[str, str]:
    """("default", "ar"), or ("chat:<id>", "") for one chat's own menu."""
    scope = params.get("scope") or {"type": "default"}
    if isinstance(scope, str):
        scope = json.loads(scope)
    scope_type = str(scope.get("type", "default"))
    if scope_type == "chat":
        scope_type = f"chat:{scope.get('chat_id')}"
    return scope_type, str(params.get("language_code", ""))


def _command_entities(text: str) -> list[JSON]:
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": utf16_length(command)}]
