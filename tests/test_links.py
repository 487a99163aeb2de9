"""Invitation links and QR codes through the real Application: a stranger opens a forum's
link and gets its card with the answer buttons in their own language; staff get the link
and its QR code, replace it (the old one then says it no longer works); a cancelled or
past forum's link says so; an organisation's contact link connects once; only staff get
links."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.links import LinkKind
from handlers.forum_admin import ForumAction, ForumAdminButton
from handlers.forum_notices import RsvpButton
from handlers.link_buttons import ForumLinkButton, LinkAction, OrgLinkButton
from storage import applications as store
from storage.models import Link, Member, Rsvp, User
from tests.forum_helpers import Bot, started
from tests.link_helpers import qr_size, token_in
from tests.test_cli import Ran, cli, env  # noqa: F401  (the fixtures)

NOT_WORKING = "This link does not work (any more)"
STRANGER = 7001


async def invitation_token(bot: Bot, forum_id: int) -> str:
    sent = await bot.staff_presses(ForumLinkButton(LinkAction.INVITATION, forum_id))
    return token_in(sent)


async def add_member(bot: Bot, name: str = "Föreningen Ängsö", number: str = "8024561238") -> int:
    async with bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        member = await store.add_member(
            session, name=name, org_number=number, area=None, joined_on=bot.clock().date(),
            joined_via="forum", public=False,
        )  # fmt: skip
    return member.id


async def test_a_stranger_opens_the_invitation_link_and_can_answer_in_their_language(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        forum_id = await bot.announced(capacity=10)
        sent = await bot.staff_presses(ForumLinkButton(LinkAction.INVITATION, forum_id))
        token = token_in(sent)
        width, height = qr_size(sent)
        assert width == height >= 250, "large enough to print and scan"
        assert await bot.scalar(select(Link.kind).where(Link.token == token)) == LinkKind.FORUM

        stranger = bot.person(STRANGER, "fi")
        opened = await stranger.send(f"/start {token}")

        card = opened[-1]
        assert "Sinut on kutsuttu" in card.text
        assert "Dialogforum om mötesplatser" in card.text
        data = [b["callback_data"] for b in card.buttons]
        assert RsvpButton(forum_id, going=True).pack() in data
        assert len(card.buttons) == 3, "I'll come, can't come, add to calendar"
        assert await bot.scalar(select(User).where(User.telegram_id == STRANGER)) is None, (
            "opening keeps nothing"
        )

        await stranger.press_data(RsvpButton(forum_id, going=True).pack(), card)

        rsvp = await bot.scalar(select(Rsvp).where(Rsvp.user_id == STRANGER))
        assert rsvp is not None
        assert rsvp.status == "going"
        again = await stranger.send(f"/start {token}")
        assert "✅" in again[-1].text, "the card shows their own answer"


async def test_a_new_invitation_link_stops_the_old_one_and_unknown_tokens_are_refused(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        forum_id = await bot.announced()
        old = await invitation_token(bot, forum_id)
        assert await invitation_token(bot, forum_id) == old, "the same link until replaced"

        asked = await bot.staff_presses(ForumLinkButton(LinkAction.RENEW, forum_id))
        assert "stop working" in asked[-1].text
        new = token_in(await bot.staff.press("Yes, make a new link"))

        assert new != old
        stranger = bot.person(STRANGER, "en")
        assert NOT_WORKING in (await stranger.send(f"/start {old}"))[-1].text
        assert NOT_WORKING in (await stranger.send("/start AAAAAAAAAAAAAAAA"))[-1].text
        assert NOT_WORKING in (await stranger.send("/start " + "x" * 200))[-1].text
        assert "You are invited" in (await stranger.send(f"/start {new}"))[-1].text
        plain = await stranger.send("/start")
        assert "Welcome to idebot" in plain[0].text, "a /start without a token is the welcome"


async def test_a_cancelled_forums_link_says_so_and_a_past_forums_link_says_it_took_place(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        cancelled = await bot.announced()
        cancelled_token = await invitation_token(bot, cancelled)
        await bot.staff_presses(ForumAdminButton(ForumAction.CANCEL, cancelled))
        await bot.staff.press("Yes, cancel it")
        past = await bot.announced(title="Vårens forum")
        past_token = await invitation_token(bot, past)
        stranger = bot.person(STRANGER, "en")

        told = await stranger.send(f"/start {cancelled_token}")
        bot.clock.set((await bot.forum(past)).ends_at + timedelta(minutes=1))
        over = await stranger.send(f"/start {past_token}")

        assert "Cancelled" in told[-1].text
        assert not any("callback_data" in b and b["callback_data"].startswith("fr:")
                       for b in told[-1].buttons)  # fmt: skip
        assert "already taken place" in over[-1].text
        assert "Vårens forum" in over[-1].text


async def test_links_are_made_at_publishing_and_only_staff_get_or_revoke_them(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        forum_id = await bot.announced()
        made = await bot.scalar(select(Link.token).where(Link.subject_id == forum_id))
        assert made is not None, "made when published"
        draft = await bot.create_forum()
        card = await bot.staff_presses(ForumAdminButton(ForumAction.CARD, draft))
        assert not any(b["callback_data"].startswith("lk:") for b in card[-1].buttons)
        outsider = bot.person(STRANGER, "en")
        await outsider.send("/start")

        for action in LinkAction:
            await outsider.press_data(ForumLinkButton(action, forum_id).pack())
        refused = await outsider.send("/orglinks")
        await outsider.press_data(OrgLinkButton(await add_member(bot)).pack())

        refusals = outsider.answers.count("This command is for municipal staff.")
        assert refusals == len(LinkAction) + 1
        assert "for municipal staff" in refused[-1].text
        assert not any(m.document for m in bot.api.bot_messages(STRANGER))
        links = await bot.scalars(select(Link))
        assert [(link.token, link.revoked_at) for link in links] == [(made, None)]
        assert (await bot.forum(forum_id)).walk_ins == 0


async def test_an_organisations_contact_link_connects_once_and_then_no_longer_works(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        member_id = await add_member(bot)
        await bot.staff.send("/members")
        listing = await bot.staff.press("Contact links")
        assert "Föreningen Ängsö" in listing[-1].button_texts
        sent = await bot.staff.press("Föreningen Ängsö")
        token = token_in(sent)
        assert qr_size(sent)[0] > 0
        by_number = token_in(await bot.staff.send("/orglinks 802456-1238"))
        assert by_number == token, "the same link until it is used"

        contact = bot.person(STRANGER, "en")
        asked = await contact.send(f"/start {token}")
        assert "contact person of Föreningen Ängsö" in asked[-1].text
        done = await contact.press("Connect me")

        assert "You are now the contact person" in done[-1].text
        member = await bot.scalar(select(Member).where(Member.id == member_id))
        assert member.contact_id == STRANGER
        other = bot.person(STRANGER + 1, "en")
        assert NOT_WORKING in (await other.send(f"/start {token}"))[-1].text
        assert "Föreningen Ängsö" in (await contact.send("/mydata"))[-1].text

        second = token_in(await bot.staff.send(f"/orglinks {member_id}"))
        assert second != token
        assert "replaces them" in bot.api.bot_messages(bot.staff.chat_id)[-2].text
        await other.send(f"/start {second}")
        await other.press("Connect me")
        member = await bot.scalar(select(Member).where(Member.id == member_id))
        assert member.contact_id == STRANGER + 1, "one contact: the new one replaces the old"


async def test_a_stale_contact_confirmation_changes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        member_id = await add_member(bot)
        token = token_in(await bot.staff.send(f"/orglinks {member_id}"))
        first, second = bot.person(STRANGER, "en"), bot.person(STRANGER + 1, "en")
        asked_first = await first.send(f"/start {token}")
        asked_second = await second.send(f"/start {token}")
        await first.press("Connect me", asked_first[-1])

        late = await second.press("Connect me", asked_second[-1])

        assert "does not work any more" in late[-1].text
        assert await bot.scalar(select(Member.contact_id)) == STRANGER
        declined = await second.send(f"/start {token}")
        assert NOT_WORKING in declined[-1].text


def test_the_contact_link_from_the_command_line_with_its_qr_code(
    cli: Callable[..., Ran],  # noqa: F811
    tmp_path: Path,
) -> None:
    assert cli("members", "add", "Föreningen Ängsö", "--org-number", "802456-1238").returncode == 0
    png = tmp_path / "qr.png"

    first = cli("members", "link", "8024561238", "--qr", str(png))
    again = cli("members", "link", "1")
    renewed = cli("members", "link", "802456-1238", "--new")
    missing = cli("members", "link", "999")

    assert first.returncode == 0, first.stderr
    url = first.stdout.splitlines()[0]
    assert url.startswith("https://t.me/idebot_local_bot?start=")
    assert again.stdout.splitlines()[0] == url
    assert renewed.stdout.splitlines()[0] != url
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert missing.returncode == 2
    assert "no organisation" in missing.stderr
