"""Showing agreement entries: text with its source, commitments by party, the Swedish
original, and the buttons that move between them. Shared by browsing and asking."""

from __future__ import annotations

from markupsafe import escape
from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.buttons import Button, Rows
from bot.content import AUTHORITATIVE, Entry, Pack
from bot.context import CustomContext, IdeApplication
from bot.i18n import Translator
from bot.textsplit import split_message
from handlers.fallback import answer_stale
from handlers.menu import Menu, MenuItem
from handlers.turn import Turn, with_turn

SHOW = "e:"  # e:<entry id>            the entry's text, as a new message
BROWSE = "p:"  # p:<entry id>          the entry's text, in place of the pressed message
COMMITMENTS = "c:"  # c:<entry id>     its commitments by party
ORIGINAL = "o:"  # o:<entry id>        the Swedish original
PRINCIPLES = "pl"  # the list of principles
JOINING = "joining"  # the entry on how to join, which every pack has


def entry_text(t: Translator, pack: Pack, entry: Entry, *, original: bool = False) -> str:
    """Title, text and source; a translation says that the Swedish text is authoritative."""
    language = AUTHORITATIVE if original else t.language
    info = pack.info(language)
    paragraphs = [
        f"<b>{escape(entry.title)}</b>",
        *map(str, map(escape, entry.body.split("\n\n"))),
    ]
    source = t.pgettext(
        "entries", "Source: {document}, {section}", document=info.document, section=entry.source
    )
    paragraphs.append(f"<i>{source}</i>")
    if original:
        paragraphs.append(t.pgettext("entries", "This is the authoritative Swedish text."))
    elif not info.authoritative:
        paragraphs.append(f"<i>{escape(info.translation_note)}</i>")
    return "\n\n".join(paragraphs)


def commitments_text(t: Translator, entry: Entry) -> str:
    headings = {
        "municipality": t.pgettext("entries", "The municipality commits to:"),
        "sector": t.pgettext("entries", "The non-profit sector commits to:"),
        "both": t.pgettext("entries", "Both parties commit to:"),
    }
    paragraphs = [t.pgettext("entries", "<b>{title}</b>: commitments", title=entry.title)]
    for party, items in entry.commitments.by_party() if entry.commitments else ():
        lines = [f"<b>{headings[party]}</b>", *(f"• {escape(item)}" for item in items)]
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def entry_buttons(t: Translator, entry: Entry, *, original: bool = False) -> list[list[Button]]:
    """Commitments (where the entry has them), the Swedish original (for translations), and
    the way to apply under the entry on how to join."""
    rows = []
    if entry.id == JOINING:
        label = t.pgettext("menu", "✍️ Apply to join")
        rows.append([Menu(MenuItem.APPLY).button(label)])
    row = []
    if entry.commitments and entry.commitments.by_party():
        row.append(Button(t.pgettext("entries", "Commitments"), COMMITMENTS + entry.id))
    if t.language != AUTHORITATIVE and not original:
        row.append(
            Button(
                t.pgettext("entries", "Show the Swedish original"),
                ORIGINAL + entry.id,
            )
        )
    return [*rows, row] if row else rows


def principles_button(t: Translator) -> list[Button]:
    return [Button(t.pgettext("entries", "« All principles"), PRINCIPLES)]


async def send_long(turn: Turn, text: str, keyboard: Rows) -> None:
    """Send `text` in as many messages as it needs; the buttons go under the last one."""
    parts = split_message(turn.t.directional(text))
    for part in parts[:-1]:
        turn.reply(part)
    turn.reply(parts[-1], keyboard)


async def show_or_edit(turn: Turn, text: str, keyboard: Rows) -> None:
    """Replace the pressed message when the new text fits in one, else send it anew."""
    if len(split_message(turn.t.directional(text))) == 1 and turn.update.callback_query:
        turn.edit(text, keyboard)
    else:
        await send_long(turn, text, keyboard)


def find_entry(context: CustomContext, t: Translator, data: str, prefix: str) -> Entry | None:
    """The entry a button names, or None for a stale or forged button."""
    return context.pack.entry(t.language, data.removeprefix(prefix))


@with_turn
async def show_entry_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    data = query.data or "" if query else ""
    prefix = BROWSE if data.startswith(BROWSE) else SHOW
    entry = find_entry(context, turn.t, data, prefix)
    if query is None or entry is None:
        answer_stale(turn)
        return
    turn.answer()
    rows = entry_buttons(turn.t, entry)
    if entry.kind == "principle":
        rows.append(principles_button(turn.t))
    text, keyboard = entry_text(turn.t, context.pack, entry), rows
    if prefix == BROWSE:
        await show_or_edit(turn, text, keyboard)
    else:
        await send_long(turn, text, keyboard)


@with_turn
async def commitments_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    entry = find_entry(context, turn.t, query.data or "", COMMITMENTS) if query else None
    if query is None or entry is None or entry.commitments is None:
        answer_stale(turn)
        return
    turn.answer()
    back = Button(turn.t.pgettext("entries", "« Back"), BROWSE + entry.id)
    keyboard = [[back, *principles_button(turn.t)]]
    await show_or_edit(turn, commitments_text(turn.t, entry), keyboard)


@with_turn
async def original_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    entry = (
        context.pack.entry(AUTHORITATIVE, (query.data or "").removeprefix(ORIGINAL))
        if query
        else None
    )
    if query is None or entry is None:
        answer_stale(turn)
        return
    turn.answer()
    text = entry_text(turn.t, context.pack, entry, original=True)
    await send_long(turn, text, ())


def register(app: IdeApplication) -> None:
    app.add_handler(CallbackQueryHandler(show_entry_button, pattern=f"^({SHOW}|{BROWSE})"))
    app.add_handler(CallbackQueryHandler(commitments_button, pattern=f"^{COMMITMENTS}"))
    app.add_handler(CallbackQueryHandler(original_button, pattern=f"^{ORIGINAL}"))
