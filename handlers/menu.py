"""The main menu and the command list: only features that exist appear here."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.buttons import CallbackData, Rows
from bot.i18n import LazyText, Translator, lazy_pgettext


class MenuItem(StrEnum):
    LANGUAGE = "language"
    HELP = "help"
    PRINCIPLES = "principles"
    ASK = "ask"
    APPLY = "apply"
    MEMBERS = "members"
    FORUMS = "forums"
    SUBSCRIBE = "subscribe"


@dataclass(frozen=True)
class Menu(CallbackData):
    """A button of the main menu (each feature registers its own item)."""

    prefix = "menu"
    item: MenuItem


COMMANDS: tuple[tuple[str, LazyText], ...] = (
    ("start", lazy_pgettext("commands", "Welcome and main menu")),
    ("principles", lazy_pgettext("commands", "Read the principles of the agreement")),
    ("ask", lazy_pgettext("commands", "Ask a question about the agreement")),
    ("apply", lazy_pgettext("commands", "Apply to join the agreement")),
    ("members", lazy_pgettext("commands", "Organisations that have signed")),
    ("mydata", lazy_pgettext("commands", "See the data stored about you")),
    ("deletemydata", lazy_pgettext("commands", "Delete your data")),
    ("forums", lazy_pgettext("commands", "Upcoming dialogue forums")),
    ("calendar", lazy_pgettext("commands", "Your forums in your own calendar")),
    ("subscribe", lazy_pgettext("commands", "Get invitations to dialogue forums")),
    ("unsubscribe", lazy_pgettext("commands", "Stop invitations and newsletters")),
    ("summaries", lazy_pgettext("commands", "Get the minutes of every dialogue forum")),
    ("language", lazy_pgettext("commands", "Choose your language")),
    ("help", lazy_pgettext("commands", "What I can do")),
)


def main_menu(t: Translator) -> Rows:
    rows = (
        ((t.pgettext("menu", "📖 The principles"), MenuItem.PRINCIPLES),
         (t.pgettext("menu", "💬 Ask a question"), MenuItem.ASK)),
        ((t.pgettext("menu", "✍️ Apply to join"), MenuItem.APPLY),
         (t.pgettext("menu", "🤝 Who has signed"), MenuItem.MEMBERS)),
        ((t.pgettext("menu", "📅 Dialogue forums"), MenuItem.FORUMS),
         (t.pgettext("menu", "🔔 Invitations"), MenuItem.SUBSCRIBE)),
        ((t.pgettext("menu", "🌐 Language"), MenuItem.LANGUAGE),
         (t.pgettext("menu", "❓ Help"), MenuItem.HELP)),
    )  # fmt: skip
    return [[Menu(item).button(label) for label, item in row] for row in rows]


def command_list(t: Translator) -> str:
    """One line per command: `/name — description`."""
    return "\n".join(f"/{name} — {t.lazy(description)}" for name, description in COMMANDS)
