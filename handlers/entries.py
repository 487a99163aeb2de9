"""Showing agreement entries: text with its source, commitments by party, the Swedish
original, and the buttons that move between them. Shared by browsing and asking."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import escape
from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.buttons import Button, CallbackData, Rows
from bot.config import Language
from bot.content import AUTHORITATIVE, Entry, Pack
from bot.context import CustomContext, IdeApplication
from bot.i18n import Translator
from bot.textsplit import split_message
from handlers.fallback import answer_stale
from handlers.menu import Menu, MenuItem
from handlers.turn import Turn, with_turn

JOINING = "joining"  # the entry on how to join, which every pack has


@dataclass(frozen=True)
class EntryButton(CallbackData):
    """A button that names an entry of the pack (the kinds below)."""

    entry: str


@dataclass(frozen=True)
class ShowEntry(EntryButton):
    """The entry's text, as a new message (the topics offered under an answer)."""

    prefix = "e"


@dataclass(frozen=True)
class BrowseEntry(EntryButton):
    """The entry's text, in place of the pressed message (browsing the principles)."""

    prefix = "p"


@dataclass(frozen=True)
class Commitments(EntryButton):
    """The entry's commitments, by party."""

    prefix = "c"


@dataclass(frozen=True)
class Original(EntryButton):
    """The entry's authoritative Swedish text."""

    prefix = "o"


@dataclass(frozen=True)
class AllPrinciples(CallbackData):
    """Back to the list of principles."""

    prefix = "pl"


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
        paragraphs.append(f"<i>{escape(info.translation_note)} {_freshness(t, pack, entry)}</i>")
    return "\n\n".join(paragraphs)


def _freshness(t: Translator, pack: Pack, entry: Entry) -> str:
    """How far a translation can be trusted: stale (the Swedish changed since), or not yet
    reviewed by a native speaker."""
    if pack.stale(t.language, entry.id):
        return t.pgettext(
            "entries",
            "The Swedish text has changed since this translation was made: "
            "read the Swedish to be sure.",
        )
    if not entry.reviewed:
        return t.pgettext(
            "entries", "It was made with machine help; a native speaker has not yet checked it."
        )
    return ""


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
        row.append(Commitments(entry.id).button(t.pgettext("entries", "Commitments")))
    if t.language != AUTHORITATIVE and not original:
        row.append(Original(entry.id).button(t.pgettext("entries", "Show the Swedish original")))
    return [*rows, row] if row else rows


def principles_button(t: Translator) -> list[Button]:
    return [AllPrinciples().button(t.pgettext("entries", "« All principles"))]


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


def pressed_entry(
    context: CustomContext, turn: Turn, kind: type[EntryButton], language: Language | None = None
) -> Entry | None:
    """The entry a pressed button of `kind` names (in `language`, else the person's), or
    None if the pack has none by that id: the content changed, or the button was forged."""
    query = turn.update.callback_query
    button = kind.parse(query.data if query else None)
    return context.pack.entry(language or turn.t.language, button.entry) if button else None


def _entry_view(context: CustomContext, turn: Turn, entry: Entry) -> tuple[str, Rows]:
    rows = entry_buttons(turn.t, entry)
    if entry.kind == "principle":
        rows.append(principles_button(turn.t))
    return entry_text(turn.t, context.pack, entry), rows


@with_turn
async def show_entry_button(update: Update, context: CustomContext, turn: Turn) -> None:
    entry = pressed_entry(context, turn, ShowEntry)
    if entry is None:
        answer_stale(turn)
        return
    await send_long(turn, *_entry_view(context, turn, entry))


@with_turn
async def browse_entry_button(update: Update, context: CustomContext, turn: Turn) -> None:
    entry = pressed_entry(context, turn, BrowseEntry)
    if entry is None:
        answer_stale(turn)
        return
    await show_or_edit(turn, *_entry_view(context, turn, entry))


@with_turn
async def commitments_button(update: Update, context: CustomContext, turn: Turn) -> None:
    entry = pressed_entry(context, turn, Commitments)
    if entry is None or entry.commitments is None:
        answer_stale(turn)
        return
    back = BrowseEntry(entry.id).button(turn.t.pgettext("entries", "« Back"))
    keyboard = [[back, *principles_button(turn.t)]]
    await show_or_edit(turn, commitments_text(turn.t, entry), keyboard)


@with_turn
async def original_button(update: Update, context: CustomContext, turn: Turn) -> None:
    entry = pressed_entry(context, turn, Original, AUTHORITATIVE)
    if entry is None:
        answer_stale(turn)
        return
    await send_long(turn, entry_text(turn.t, context.pack, entry, original=True), ())


def register(app: IdeApplication) -> None:
    app.add_handler(CallbackQueryHandler(show_entry_button, pattern=ShowEntry.matches))
    app.add_handler(CallbackQueryHandler(browse_entry_button, pattern=BrowseEntry.matches))
    app.add_handler(CallbackQueryHandler(commitments_button, pattern=Commitments.matches))
    app.add_handler(CallbackQueryHandler(original_button, pattern=Original.matches))
