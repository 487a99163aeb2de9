"""One update, one turn: decide in one short transaction, commit, then speak.

A handler reads the update, calls the domain and says what the person should see with
`turn.reply`, `turn.edit`, `turn.answer` … These only queue: nothing reaches Telegram
while the transaction is open, so no row lock waits on the network and a failed send can
never undo a change the person was told about. When the handler returns, the transaction
commits and `speak` sends what was queued, in order, through the one sender. A reply that
cannot go out within the sender's budget (Telegram keeps saying 429, or cannot be reached)
is written to the outbox and the delivery worker sends it later; so are the ones after it,
so the person reads them in order.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import html
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.constants import ChatType

from bot.buttons import Button, CallbackData, Rows
from bot.context import CustomContext
from bot.i18n import Translator, normalise_language
from bot.outgoing import (
    NotNow,
    PermanentFailure,
    RecipientBlocked,
    Rendered,
    TemporaryFailure,
)
from bot.sender import Sender
from bot.telegram_html import utf16_length
from bot.textsplit import TELEGRAM_LIMIT
from handlers import staff
from storage import outbox, users
from storage.models import User

log = logging.getLogger(__name__)

R = TypeVar("R")

REPLY = "reply"  # the outbox kind of a reply that could not go out at once
OnSent = Callable[[AsyncSession, int], Awaitable[None]]  # runs in its own transaction


@dataclass(frozen=True)
class _Send:
    chat_id: int
    message: Rendered
    on_sent: OnSent | None = None


@dataclass(frozen=True)
class _Edit:
    chat_id: int
    message_id: int
    message: Rendered
    text: bool = True  # False: only the buttons change


@dataclass(frozen=True)
class _Answer:
    chat_id: int
    query_id: str
    text: str | None
    alert: bool


Speech = _Send | _Edit | _Answer


@dataclass
class Turn:
    """What a handler needs beyond the update: `session` (committed when the handler
    returns, rolled back if it raises), the person's `user` row (private chats only), the
    translator `t` for their language, and what to say once the change is committed."""

    update: Update
    session: AsyncSession
    user: User | None
    t: Translator
    said: list[Speech] = field(default_factory=list)
    answered: bool = False

    async def keep_user(self) -> User:
        """The person's row, made now if this is the first thing of theirs we keep (only
        features that need it call this: writing to the bot stores nothing by itself)."""
        person = self.update.effective_user
        if self.user is None and person is not None:
            language = normalise_language(person.language_code)
            self.user = await users.ensure(self.session, person.id, language)
        if self.user is None:
            raise ValueError("this update has no person")
        return self.user

    @property
    def chat_id(self) -> int:
        chat = self.update.effective_chat
        if chat is None:
            raise ValueError("this update has no chat to reply to")
        return chat.id

    def reply(self, text: str, buttons: Rows = (), *, on_sent: OnSent | None = None) -> None:
        """A new HTML message to the chat the update came from. `on_sent(session,
        message_id)` runs after it was sent (e.g. to remember a message to edit later)."""
        self.send(self.chat_id, self.t.directional(text), buttons, on_sent=on_sent)

    def send(
        self, chat_id: int, text: str, buttons: Rows = (), *, on_sent: OnSent | None = None
    ) -> None:
        """A message, already in its reader's language and direction, to any chat."""
        self.said.append(_Send(chat_id, Rendered(text, tuple(buttons)), on_sent))

    def document(self, file: tuple[str, bytes] | str, caption: str = "") -> None:
        """A file (name and content, or the id of a file Telegram has) to this chat."""
        caption = self.t.directional(caption) if caption else ""
        self.said.append(_Send(self.chat_id, Rendered(caption, (), file)))

    def edit(self, text: str, buttons: Rows = ()) -> None:
        """Replace the message whose button was pressed."""
        message = self._pressed()
        rendered = Rendered(self.t.directional(text), tuple(buttons))
        self.said.append(_Edit(message.chat_id, message.message_id, rendered))

    def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        """The pop-up for a button press (every press is answered; silently if not here)."""
        query = self.update.callback_query
        if query is None or self.answered:
            return
        self.answered = True
        self.said.insert(0, _Answer(self.chat_id, query.id, text, alert))

    def drop_buttons(self, kind: type[CallbackData] | str, *, echo: bool = False) -> None:
        """Remove from the pressed message the rows with buttons of `kind` (or whose data
        starts with a prefix string): a vote or a choice that has been made. With `echo` the
        pressed button's label stays under the text, so the chat shows what was chosen."""
        message = self._pressed()
        dropped = kind.matches if isinstance(kind, type) else lambda data: data.startswith(kind)
        rows = [row for row in _rows_of(message) if not any(dropped(b.data or "") for b in row)]
        query = self.update.callback_query
        pressed = next(
            (b.text for row in _rows_of(message) for b in row if query and b.data == query.data),
            None,
        )
        if echo and pressed and message.text:
            mark = f"\n\n✓ {pressed}"
            if utf16_length(message.text + mark) <= TELEGRAM_LIMIT:  # as Telegram counts
                text = f"{message.text_html}{html.escape(mark, quote=False)}"
                self.said.append(
                    _Edit(message.chat_id, message.message_id, Rendered(text, tuple(rows)))
                )
                return
        self.said.append(
            _Edit(message.chat_id, message.message_id, Rendered("", tuple(rows)), text=False)
        )

    def _pressed(self) -> Message:
        query = self.update.callback_query
        if query is None or not isinstance(query.message, Message):
            raise ValueError("only a button press on a message can change that message")
        return query.message


def _rows_of(message: Message) -> list[list[Button]]:
    markup = message.reply_markup
    if markup is None:
        return []
    return [
        [Button(b.text, b.callback_data if isinstance(b.callback_data, str) else None, b.url)
         for b in row]
        for row in markup.inline_keyboard
    ]  # fmt: skip


Handler = Callable[[Update, CustomContext, Turn], Coroutine[Any, Any, R]]


def with_turn(handler: Handler[R]) -> Callable[[Update, CustomContext], Coroutine[Any, Any, R]]:
    """Run `handler` in one transaction with the person and their translator; once it has
    committed, say what the handler queued."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: CustomContext) -> R:
        async with context.db.transaction() as session:
            turn = await open_turn(update, context, session)
            result = await handler(update, context, turn)
        if update.callback_query is not None:
            turn.answer()  # a press nobody answered would spin on the person's screen
        await speak(context, turn.said)
        return result

    return wrapper


async def open_turn(update: Update, context: CustomContext, session: AsyncSession) -> Turn:
    """The person's row if there is one (private chats: seen now), and their language."""
    person = update.effective_user
    chat = update.effective_chat
    code = person.language_code if person else None
    user: User | None = None
    if person and chat and chat.type == ChatType.PRIVATE:
        user = await users.seen(session, person.id)
        if user is None and await staff.is_reviewer(context, session, person.id):  # their cards
            user = await users.ensure(session, person.id, normalise_language(code))
    elif person:
        user = await users.get_user(session, person.id)
    t = context.i18n.resolve(user.language if user else None, code)
    return Turn(update, session, user, t)


async def speak(context: CustomContext, said: list[Speech]) -> None:
    """Send what a committed turn queued, in order. What cannot go out now is queued in
    the outbox (new messages) or given up with a log line (edits and pop-ups, which the
    next look at the chat shows right anyway)."""
    sender = context.sender
    popup = None
    if said and isinstance(said[0], _Answer):  # the pop-up goes out beside the messages
        popup = asyncio.create_task(_attempt(context, sender, said[0]))
        said = said[1:]
    queued: list[_Send] = []
    for speech in said:
        if isinstance(speech, _Send) and (queued or not await _attempt(context, sender, speech)):
            queued.append(speech)  # after one is queued, the rest follow: the order holds
        elif not isinstance(speech, _Send):
            await _attempt(context, sender, speech)
    if popup is not None:
        await popup
    if queued:
        await _queue(context, queued)


async def _attempt(context: CustomContext, sender: Sender, speech: Speech) -> bool:
    """Say it; False for a new message that cannot go out now (to be queued)."""
    try:
        await _say(context, sender, speech)
    except (NotNow, TemporaryFailure) as error:
        if isinstance(speech, _Send) and not getattr(error, "maybe_sent", False):
            return False
        log.warning("could not say %s now: %s", type(speech).__name__, error)
    except RecipientBlocked:
        log.info("chat %s has blocked the bot", speech.chat_id)
    except PermanentFailure:
        log.exception("Telegram refused %s to chat %s", type(speech).__name__, speech.chat_id)
    return True


async def _say(context: CustomContext, sender: Sender, speech: Speech) -> None:
    if isinstance(speech, _Answer):
        await sender.answer(speech.chat_id, speech.query_id, speech.text, alert=speech.alert)
    elif isinstance(speech, _Edit) and speech.text:
        await sender.edit(speech.chat_id, speech.message_id, speech.message)
    elif isinstance(speech, _Edit):
        await sender.edit_buttons(speech.chat_id, speech.message_id, speech.message.buttons)
    else:
        message_id = await sender.send(speech.chat_id, speech.message)
        if speech.on_sent is not None:
            async with context.db.transaction() as session:
                await speech.on_sent(session, message_id)


async def _queue(context: CustomContext, replies: list[_Send]) -> None:
    """Replies Telegram would not take now, for the delivery worker (in this order)."""
    now = context.now()
    async with context.db.transaction() as session:
        for reply in replies:
            await outbox.enqueue_one(
                session,
                reply.chat_id,
                kind=REPLY,
                due_at=now,
                payload=reply_payload(reply.message),
            )
    log.warning("%d repl(ies) to chat %s queued for later", len(replies), replies[0].chat_id)
    context.wake_worker()


def reply_payload(message: Rendered) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "text": message.text,
        "buttons": [[[b.text, b.data, b.url] for b in row] for row in message.buttons],
    }
    if isinstance(message.document, str):
        payload["file"] = message.document
    elif message.document is not None:
        name, content = message.document
        payload["document"] = [name, base64.b64encode(content).decode("ascii")]
    return payload


def render_reply(payload: dict[str, Any]) -> Rendered:
    """A queued reply as it was worded when the turn committed."""
    rows = tuple(tuple(Button(*b) for b in row) for row in payload.get("buttons", []))
    document = payload.get("document")
    return Rendered(
        str(payload.get("text", "")),
        rows,
        (str(document[0]), base64.b64decode(document[1])) if document else payload.get("file"),
    )
