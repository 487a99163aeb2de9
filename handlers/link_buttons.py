"""The buttons staff find on a forum's card for its links (the invitation with its QR
code, a new invitation link, the check-in at the door and the count of people without
Telegram) and on the register (an organisation's contact link); the figures the card shows
of who came; and how a link is handed to staff: the link as text, then its QR code."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot import links
from bot.buttons import Button, CallbackData
from bot.forums.door import Figures
from bot.i18n import Translator
from storage.forums import PUBLISHED
from storage.models import Forum


class LinkAction(StrEnum):
    INVITATION = "inv"  # the invitation link and its QR code
    RENEW = "renew"  # asks to confirm
    RENEW_NOW = "renew-now"
    CHECKIN = "door"  # the check-in link, its QR code and the door count
    PLUS = "plus"  # one more person counted at the door
    MINUS = "minus"


@dataclass(frozen=True)
class ForumLinkButton(CallbackData):
    """A staff button about a forum's links; packs as `lk:<action>:<forum id>`."""

    prefix = "lk"
    action: LinkAction
    forum_id: int


@dataclass(frozen=True)
class OrgLinksPage(CallbackData):
    """A page of the register for staff, each organisation a button (0 is the first)."""

    prefix = "lko"
    page: int


@dataclass(frozen=True)
class OrgLinkButton(CallbackData):
    """An organisation's contact link and QR code, for staff; packs as `lkm:<member id>`."""

    prefix = "lkm"
    member_id: int


def link_rows(t: Translator, forum: Forum) -> list[tuple[Button, ...]]:
    """The card's link buttons: only a published forum has links to hand out."""
    if forum.status != PUBLISHED:
        return []

    def button(action: LinkAction, label: str) -> Button:
        return ForumLinkButton(action, forum.id).button(label)

    return [
        (
            button(LinkAction.INVITATION, t.pgettext("forum links", "🔗 Invitation link + QR")),
            button(LinkAction.CHECKIN, t.pgettext("forum links", "🚪 Check-in at the door")),
        ),
        (button(LinkAction.RENEW, t.pgettext("forum links", "♻ New invitation link")),),
    ]


def org_links_row(t: Translator) -> tuple[Button, ...]:
    """Under the register, for staff: the organisations' contact links."""
    return (OrgLinksPage(0).button(t.pgettext("forum links", "🔗 Contact links (staff)")),)


def figures_line(t: Translator, figures: Figures) -> str:
    return t.pgettext(
        "forum links",
        "Invited: {invited} · Checked in: {checked_in} (counted at the door: {at_door})",
        invited=figures.invited, checked_in=figures.checked_in, at_door=figures.at_door,
    )  # fmt: skip


def door_text(t: Translator, figures: Figures) -> str:
    return t.pgettext(
        "forum links",
        "🚪 <b>At the door</b>\nCounted without Telegram: <b>{at_door}</b>\n"
        "Checked in, in all: <b>{checked_in}</b>",
        at_door=figures.at_door, checked_in=figures.checked_in,
    )  # fmt: skip


def door_row(forum_id: int) -> tuple[Button, ...]:
    return (
        ForumLinkButton(LinkAction.PLUS, forum_id).button("+1"),
        ForumLinkButton(LinkAction.MINUS, forum_id).button("\N{MINUS SIGN}1"),
    )


def qr_document(name: str, url: str) -> tuple[str, bytes]:
    """The link's QR code as a PNG file, named for whoever saves it."""
    return f"{name}.png", links.qr_png(url)
