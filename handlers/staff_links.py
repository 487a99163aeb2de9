"""Links for staff to hand out: a forum's invitation link and QR code (for posters and
other chats), a new one when the old should stop working, the check-in link and QR code for
the door with the count of people without Telegram, and an organisation's contact link for
an e-mail. Only staff get or revoke links; every press is checked on the server."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import contacts
from bot.buttons import Button, Rows
from bot.context import CustomContext, IdeApplication
from bot.forums import door
from bot.forums import links as forum_links
from bot.forums.rules import text_in
from bot.links import start_url
from handlers import staff
from handlers.entries import show_or_edit
from handlers.fallback import answer_stale
from handlers.forum_admin import ForumAction, ForumAdminButton
from handlers.forum_notices import LONG_DATE
from handlers.link_buttons import (
    ForumLinkButton,
    LinkAction,
    OrgLinkButton,
    OrgLinksPage,
    door_row,
    door_text,
    qr_document,
)
from handlers.staff_forum import staff_forum
from handlers.turn import Turn, with_turn
from storage import applications as store
from storage.models import Forum, Link, Member

log = logging.getLogger(__name__)

PAGE_SIZE = 10


def _url(context: CustomContext, link: Link) -> str:
    return start_url(context.bot.username, link.token)


@with_turn
async def forum_link_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = ForumLinkButton.parse(query.data if query else None)
    forum = (
        await staff_forum(update, context, turn, button.forum_id, published=True, answer=False)
        if button
        else None
    )
    if button is None or forum is None:
        return
    action = button.action
    if action in {LinkAction.PLUS, LinkAction.MINUS}:
        await _count(context, turn, forum, +1 if action is LinkAction.PLUS else -1)
    elif action is LinkAction.RENEW:
        _ask_renew(turn, forum)
    else:
        if action is LinkAction.RENEW_NOW:
            await forum_links.renew_invitation(turn.session, forum, context.now())
        await (_door if action is LinkAction.CHECKIN else _invitation)(context, turn, forum)
    log.info(
        "staff %s: link %s on forum %s", query.from_user.id if query else None, action, forum.id
    )


async def _invitation(context: CustomContext, turn: Turn, forum: Forum) -> None:
    link = await forum_links.invitation(turn.session, forum)
    assert link is not None  # the forum is published
    t, url, title = turn.t, _url(context, link), text_in(forum, turn.t.language)[0]
    turn.reply(
        t.pgettext(
            "forum links",
            "🔗 <b>Invitation to {title}</b>\n{url}\n\nAnyone who opens it sees the forum in "
            "their own language and can answer, subscribed or not. Share it in other chats, "
            "or print the QR code below on a poster.",
            title=title,
            url=url,
        )
    )
    caption = t.pgettext("forum links", "QR code: invitation to {title}", title=title)
    turn.document(qr_document(f"forum-{forum.id}-invitation", url), caption)


def _ask_renew(turn: Turn, forum: Forum) -> None:
    t = turn.t
    text = t.pgettext(
        "forum links",
        "Make a new invitation link for <b>{title}</b>? The present link and its QR code "
        "stop working: whoever opens them is told so.",
        title=text_in(forum, t.language)[0],
    )
    yes = ForumLinkButton(LinkAction.RENEW_NOW, forum.id).button(
        t.pgettext("forum links", "♻ Yes, make a new link")
    )
    turn.reply(text, [(yes, _back(turn, forum))])


def _back(turn: Turn, forum: Forum) -> Button:
    label = turn.t.pgettext("forum admin", "« Back")
    return ForumAdminButton(ForumAction.CARD, forum.id).button(label)


async def _door(context: CustomContext, turn: Turn, forum: Forum) -> None:
    link = await forum_links.checkin(turn.session, forum)
    assert link is not None  # the forum is published
    t, url, title = turn.t, _url(context, link), text_in(forum, turn.t.language)[0]
    opens, closes = door.window(forum)
    turn.reply(
        t.pgettext(
            "forum links",
            "🚪 <b>Check-in for {title}</b>\n{url}\n\nShow the QR code at the door. It counts "
            "from {opens} to {closes}, each person once, whether they answered or not. Count "
            "people without Telegram with +1 below.",
            title=title,
            url=url,
            opens=t.datetime(opens, LONG_DATE),
            closes=t.datetime(closes, LONG_DATE),
        )
    )
    caption = t.pgettext("forum links", "QR code: check-in at {title}", title=title)
    turn.document(qr_document(f"forum-{forum.id}-checkin", url), caption)
    figures = await door.figures(turn.session, forum)
    turn.reply(door_text(t, figures), _door_keyboard(turn, forum))


def _door_keyboard(turn: Turn, forum: Forum) -> Rows:
    return [door_row(forum.id), (_back(turn, forum),)]


async def _count(context: CustomContext, turn: Turn, forum: Forum, change: int) -> None:
    if change < 0 and forum.walk_ins == 0:  # never below 0; nothing to change on screen
        turn.answer("0")
        return
    counted = await door.count_at_door(turn.session, forum.id, change)
    if counted is None:
        answer_stale(turn)
        return
    figures = await door.figures(turn.session, counted)
    turn.answer(str(figures.at_door))
    turn.edit(door_text(turn.t, figures), _door_keyboard(turn, forum))


# -- organisations' contact links ---------------------------------------------------------------


async def _org_page(turn: Turn, page: int) -> tuple[str, Rows]:
    """Every organisation in the register (public or not), each a button for its link."""
    t = turn.t
    total = await store.count_members(turn.session, public_only=False)
    if total == 0:
        return t.pgettext("forum links", "The register is empty."), ()
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 0), pages - 1)
    found = await store.members(
        turn.session, public_only=False, offset=page * PAGE_SIZE, limit=PAGE_SIZE
    )
    rows: list[tuple[Button, ...]] = [
        (OrgLinkButton(m.id).button(("✓ " if m.contact_id else "") + m.name),) for m in found
    ]
    paging = []
    if page > 0:
        paging.append(OrgLinksPage(page - 1).button("«"))
    if page < pages - 1:
        paging.append(OrgLinksPage(page + 1).button("»"))
    if paging:
        rows.append(tuple(paging))
    text = t.pgettext(
        "forum links",
        "<b>Contact links</b>\nPress an organisation for its link and QR code, to send by "
        "e-mail to its contact person. ✓: a contact person is connected. Page {page} of "
        "{pages}.",
        page=page + 1, pages=pages,
    )  # fmt: skip
    return text, rows


@with_turn
async def org_links_command(update: Update, context: CustomContext, turn: Turn) -> None:
    """/orglinks: the register with a button per organisation; `/orglinks <organisation
    number or id>` gives that one's link at once."""
    if not await staff.admit(update, context, turn, reviewers=True):
        return
    if context.args:
        member = await contacts.find_member(turn.session, " ".join(context.args))
        if member is None:
            turn.reply(
                turn.t.pgettext(
                    "forum links", "No organisation in the register has that number or id."
                )
            )
            return
        await _member_link(context, turn, member)
        return
    turn.reply(*await _org_page(turn, 0))


@with_turn
async def org_links_page_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = OrgLinksPage.parse(query.data if query else None)
    if button is None or not await staff.admit(update, context, turn, reviewers=True):
        return
    await show_or_edit(turn, *await _org_page(turn, button.page))


@with_turn
async def org_link_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = OrgLinkButton.parse(query.data if query else None)
    if button is None or not await staff.admit(update, context, turn, reviewers=True):
        return
    member = await turn.session.get(Member, button.member_id)
    if member is None:
        answer_stale(turn)
        return
    await _member_link(context, turn, member)


async def _member_link(context: CustomContext, turn: Turn, member: Member) -> None:
    link = await contacts.member_link(turn.session, member, renew=False, now=context.now())
    t, url = turn.t, _url(context, link)
    text = t.pgettext(
        "forum links",
        "🔗 <b>Contact link for {org}</b>\n{url}\n\nSend it by e-mail to the organisation's "
        "contact person. Whoever opens it in Telegram and says yes becomes the organisation's "
        "contact and gets the yearly follow-up. It works once. An organisation has one "
        "contact person: a new connection replaces the present one.",
        org=member.name, url=url,
    )  # fmt: skip
    if member.contact_id is not None:
        text += "\n\n" + t.pgettext(
            "forum links", "⚠ A contact person is connected now; using this link replaces them."
        )
    turn.reply(text)
    caption = t.pgettext("forum links", "QR code: contact link for {org}", org=member.name)
    turn.document(qr_document(f"contact-link-{member.id}", url), caption)


def register(app: IdeApplication) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CallbackQueryHandler(forum_link_button, pattern=ForumLinkButton.matches))
    app.add_handler(CommandHandler("orglinks", org_links_command, filters=private))
    app.add_handler(CallbackQueryHandler(org_links_page_button, pattern=OrgLinksPage.matches))
    app.add_handler(CallbackQueryHandler(org_link_button, pattern=OrgLinkButton.matches))
