"""The main menu and the command list: only features that exist appear here."""

from __future__ import annotations

from bot.buttons import Button, Rows
from bot.i18n import LazyText, Translator, lazy_pgettext

MENU = "menu:"
MENU_LANGUAGE = MENU + "language"
MENU_HELP = MENU + "help"
MENU_PRINCIPLES = MENU + "principles"
MENU_ASK = MENU + "ask"
MENU_APPLY = MENU + "apply"
MENU_MEMBERS = MENU + "members"
MENU_FORUMS = MENU + "forums"
MENU_SUBSCRIBE = MENU + "subscribe"

COMMANDS: tuple[tuple[str, LazyText], ...] = (
    ("start", lazy_pgettext("commands", "Welcome and main menu")),
    ("principles", lazy_pgettext("commands", "Read the principles of the agreement")),
    ("ask", lazy_pgettext("commands", "Ask a question about the agreement")),
    ("apply", lazy_pgettext("commands", "Apply to join the agreement")),
    ("members", lazy_pgettext("commands", "Organisations that have signed")),
    ("mydata", lazy_pgettext("commands", "See the data stored about you")),
    ("deletemydata", lazy_pgettext("commands", "Delete your data")),
    ("forums", lazy_pgettext("commands", "Upcoming dialogue forums")),
    ("subscribe", lazy_pgettext("commands", "Get invitations to dialogue forums")),
    ("unsubscribe", lazy_pgettext("commands", "Stop invitations and newsletters")),
    ("language", lazy_pgettext("commands", "Choose your language")),
    ("help", lazy_pgettext("commands", "What I can do")),
)


def main_menu(t: Translator) -> Rows:
    rows = (
        ((t.pgettext("menu", "📖 The principles"), MENU_PRINCIPLES),
         (t.pgettext("menu", "💬 Ask a question"), MENU_ASK)),
        ((t.pgettext("menu", "✍️ Apply to join"), MENU_APPLY),
         (t.pgettext("menu", "🤝 Who has signed"), MENU_MEMBERS)),
        ((t.pgettext("menu", "📅 Dialogue forums"), MENU_FORUMS),
         (t.pgettext("menu", "🔔 Invitations"), MENU_SUBSCRIBE)),
        ((t.pgettext("menu", "🌐 Language"), MENU_LANGUAGE),
         (t.pgettext("menu", "❓ Help"), MENU_HELP)),
    )  # fmt: skip
    return [[Button(label, data) for label, data in row] for row in rows]


def command_list(t: Translator) -> str:
    """One line per command: `/name — description`."""
    return "\n".join(f"/{name} — {t.lazy(description)}" for name, description in COMMANDS)
