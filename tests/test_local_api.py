"""The local Bot API refuses what Telegram refuses, and fails the way Telegram fails."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut

from bot.local_api import LocalBotApi
from bot.telegram_html import ParseError, to_plain

CHAT = 11


@pytest.fixture
async def bot() -> AsyncIterator[tuple[Bot, LocalBotApi]]:
    api = LocalBotApi()
    api.open_chat(CHAT)
    async with Bot("0:local", request=api, get_updates_request=api) as bot:
        yield bot, api


async def test_refuses_a_message_over_4096_characters(bot: tuple[Bot, LocalBotApi]) -> None:
    client, _ = bot
    await client.send_message(CHAT, "a" * 4096)
    with pytest.raises(BadRequest, match="too long"):
        await client.send_message(CHAT, "a" * 4097)


async def test_counts_length_after_html_parsing_and_in_utf16(bot: tuple[Bot, LocalBotApi]) -> None:
    client, _ = bot
    await client.send_message(CHAT, "<b>" + "a" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="too long"):
        await client.send_message(CHAT, "😀" * 2049)  # 4098 UTF-16 code units


@pytest.mark.parametrize(
    "html",
    ["<b>unclosed", "a < b", "Tom & Jerry", "<script>x</script>", "<b><i>x</b></i>", "x > y"],
)
async def test_refuses_malformed_html(bot: tuple[Bot, LocalBotApi], html: str) -> None:
    client, _ = bot
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await client.send_message(CHAT, html, parse_mode=ParseMode.HTML)


async def test_accepts_telegram_html(bot: tuple[Bot, LocalBotApi]) -> None:
    client, api = bot
    html = (
        '<b>a</b> &lt;&amp;&gt; &#39;&#x27; <a href="https://x.se">l</a> '
        "<blockquote>q</blockquote>"
    )
    await client.send_message(CHAT, html, parse_mode=ParseMode.HTML)
    assert api.bot_messages(CHAT)[-1].text == "a <&> '' l q"


async def test_returns_the_entities_of_an_html_message(bot: tuple[Bot, LocalBotApi]) -> None:
    """PTB rebuilds `text_html` from the entities Telegram returns; so must we return them."""
    client, _ = bot
    source = '🎉 <b>Välkommen</b> &amp; <a href="https://x.se/?a=1&amp;b=2">läs <i>mer</i></a>'

    sent = await client.send_message(CHAT, source, parse_mode=ParseMode.HTML)

    assert sent.text == "🎉 Välkommen & läs mer"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 3, 9), ("text_link", 15, 7), ("italic", 19, 3),
    ]  # fmt: skip
    assert sent.text_html == source.replace("&amp;b=2", "&b=2")  # PTB leaves URLs as they are
    plain = await client.send_message(CHAT, "<b> is not a tag here")
    assert plain.entities == ()


async def test_refuses_callback_data_over_64_bytes(bot: tuple[Bot, LocalBotApi]) -> None:
    client, _ = bot
    fits = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="å" * 32)]])
    await client.send_message(CHAT, "x", reply_markup=fits)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data="å" * 33)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await client.send_message(CHAT, "x", reply_markup=too_long)


async def test_refuses_a_caption_over_1024_characters(bot: tuple[Bot, LocalBotApi]) -> None:
    client, api = bot
    await client.send_document(CHAT, b"BEGIN:VCALENDAR", filename="f.ics", caption="c" * 1024)
    assert api.bot_messages(CHAT)[-1].document == ("f.ics", b"BEGIN:VCALENDAR", "text/calendar")
    with pytest.raises(BadRequest, match="caption is too long"):
        await client.send_document(CHAT, b"x", filename="f.txt", caption="c" * 1025)


async def test_refuses_an_edit_that_changes_nothing(bot: tuple[Bot, LocalBotApi]) -> None:
    client, _ = bot
    sent = await client.send_message(CHAT, "<b>same</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await client.edit_message_text(
            "<b>same</b>", chat_id=CHAT, message_id=sent.message_id, parse_mode=ParseMode.HTML
        )
    edited = await client.edit_message_text("new", chat_id=CHAT, message_id=sent.message_id)
    assert isinstance(edited, object)


async def test_refuses_unknown_chats_and_blocked_ones(bot: tuple[Bot, LocalBotApi]) -> None:
    client, api = bot
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await client.send_message(999, "hello")
    api.block(CHAT)
    with pytest.raises(Forbidden, match="blocked"):
        await client.send_message(CHAT, "hello")


async def test_enforces_the_per_chat_rate_with_retry_after(bot: tuple[Bot, LocalBotApi]) -> None:
    client, api = bot
    api.per_chat_rate = 1
    await client.send_message(CHAT, "one")
    with pytest.raises(RetryAfter) as error:
        await client.send_message(CHAT, "two")
    assert error.value.retry_after.total_seconds() >= 1


async def test_enforces_the_overall_rate(bot: tuple[Bot, LocalBotApi]) -> None:
    client, api = bot
    api.overall_rate = 3
    for chat in (21, 22, 23, 24):
        api.open_chat(chat)
    for chat in (21, 22, 23):
        await client.send_message(chat, "ok")
    with pytest.raises(RetryAfter):
        await client.send_message(24, "over")


async def test_injects_429s_at_the_configured_share() -> None:
    api = LocalBotApi(inject_429=0.5, seed=7)
    api.open_chat(CHAT)
    refused = 0
    async with Bot("0:local", request=api) as client:
        for _ in range(200):
            try:
                await client.send_message(CHAT, "x")
            except RetryAfter:
                refused += 1
    assert 60 < refused < 140


async def test_times_out_when_told(bot: tuple[Bot, LocalBotApi]) -> None:
    client, api = bot
    api.time_out_next(1)
    with pytest.raises(TimedOut):
        await client.send_message(CHAT, "lost")
    await client.send_message(CHAT, "through")
    assert [m.text for m in api.bot_messages(CHAT)] == ["through"]


def test_html_to_plain_reports_the_byte_offset() -> None:
    with pytest.raises(ParseError, match="byte offset 3"):
        to_plain("åx<z>")
