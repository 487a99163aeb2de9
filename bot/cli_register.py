"""`idebot export`, `idebot members add|link`, `idebot staff …` and `idebot db purge-drafts`:
the register and the reviewers, for staff at a terminal and for scripts."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot import contacts
from bot.applications import check_org_number
from bot.config import Settings
from bot.links import qr_png, start_url
from bot.local_api import BOT_USER
from bot.register_export import applications_csv, members_csv
from bot.startup import wait_for_telegram
from storage import applications as store
from storage import migrate
from storage.db import Database
from storage.models import utcnow

Action = Callable[[Settings, argparse.Namespace], int]


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser("export", help="write the register and applications as CSV")
    export.add_argument("--out", type=Path, default=Path(), help="folder (default: here)")
    export.set_defaults(action=_run(_export))

    members = commands.add_parser("members", help="the register of signed organisations")
    member_commands = members.add_subparsers(title="members commands", required=True)
    add = member_commands.add_parser("add", help="record an organisation that signed on paper")
    add.add_argument("name")
    add.add_argument("--org-number", default=None, help="organisationsnummer, if it has one")
    add.add_argument("--area", default=None)
    add.add_argument("--date", type=date.fromisoformat, default=None, help="YYYY-MM-DD (today)")
    add.add_argument("--public", action="store_true", help="show it in the public register")
    add.set_defaults(action=_run(_add_member))
    link = member_commands.add_parser(
        "link", help="the link that connects an organisation's contact person (for an e-mail)"
    )
    link.add_argument("member", help="its organisationsnummer, or its id in the register")
    link.add_argument("--qr", type=Path, default=None, help="also write the QR code to this PNG")
    link.add_argument(
        "--new", action="store_true", help="revoke the organisation's link and make a new one"
    )
    link.set_defaults(action=_member_link_action)

    staff = commands.add_parser("staff", help="reviewers of applications")
    staff_commands = staff.add_subparsers(title="staff commands", required=True)
    grant = staff_commands.add_parser("add", help="make a Telegram user a reviewer")
    grant.add_argument("user_id", type=int)
    grant.set_defaults(action=_run(_grant))
    revoke = staff_commands.add_parser("remove", help="take the reviewer role away")
    revoke.add_argument("user_id", type=int)
    revoke.set_defaults(action=_run(_revoke))
    listing = staff_commands.add_parser("list", help="list reviewers")
    listing.set_defaults(action=_run(_list_staff))


def add_db_commands(db_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    purge = db_commands.add_parser(
        "purge-drafts", help="delete application drafts older than DRAFT_RETENTION_DAYS"
    )
    purge.set_defaults(action=_run(_purge))


@asynccontextmanager
async def _session(settings: Settings) -> AsyncIterator[AsyncSession]:
    db = Database.connect(settings.resolved_database_url)
    try:
        await migrate.upgrade(db.engine)
        async with db.transaction() as session:
            yield session
    finally:
        await db.close()


def _run(
    work: Callable[[Settings, argparse.Namespace, AsyncSession], Awaitable[int]],
) -> Action:
    def action(settings: Settings, args: argparse.Namespace) -> int:
        async def go() -> int:
            async with _session(settings) as session:
                return await work(settings, args, session)

        return asyncio.run(go())

    return action


async def _export(settings: Settings, args: argparse.Namespace, session: AsyncSession) -> int:
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().astimezone(settings.zone).strftime("%Y-%m-%d")
    members = args.out / f"register-{stamp}.csv"
    applications = args.out / f"applications-{stamp}.csv"
    members.write_bytes(members_csv(await store.members(session, public_only=False)))
    applications.write_bytes(applications_csv(await store.all_applications(session)))
    await store.audit(session, None, "exported", "register", "idebot export")
    print(f"{members}\n{applications}")
    return 0


async def _add_member(settings: Settings, args: argparse.Namespace, session: AsyncSession) -> int:
    number = None
    if args.org_number:
        checked = check_org_number(args.org_number)
        if not checked.ok:
            print(
                f"idebot: {args.org_number!r} is not a valid organisationsnummer", file=sys.stderr
            )
            return 2
        number = checked.value
        if number and await store.member_with_number(session, number):
            print(f"idebot: {args.org_number} is already in the register", file=sys.stderr)
            return 2
    member = await store.add_member(
        session,
        name=" ".join(args.name.split()),
        org_number=number,
        area=args.area,
        joined_on=args.date or utcnow().astimezone(settings.zone).date(),
        joined_via="forum",
        public=args.public,
    )
    await store.audit(session, None, "member_added", f"member:{member.id}", "idebot members add")
    print(f"added {member.name} (joined at a dialogue forum, {member.joined_on})")
    return 0


def _member_link_action(settings: Settings, args: argparse.Namespace) -> int:
    """Ask Telegram for the bot's name first: no network wait inside the transaction."""

    async def go() -> int:
        username = await _bot_username(settings)
        async with _session(settings) as session:
            return await _member_link(username, args, session)

    return asyncio.run(go())


async def _member_link(username: str, args: argparse.Namespace, session: AsyncSession) -> int:
    member = await contacts.find_member(session, args.member)
    if member is None:
        print(f"idebot: no organisation in the register has number or id {args.member}",
              file=sys.stderr)  # fmt: skip
        return 2
    link = await contacts.member_link(session, member, renew=args.new, now=utcnow())
    await store.audit(session, None, "member_link", f"member:{member.id}", "idebot members link")
    url = start_url(username, link.token)
    print(url)
    if args.qr is not None:
        args.qr.write_bytes(qr_png(url))
        print(f"QR code: {args.qr}")
    if member.contact_id is not None:
        print(f"note: {member.name} has a contact person; whoever uses this link replaces them")
    return 0


async def _bot_username(settings: Settings) -> str:
    """Telegram's name of this bot, for t.me links (without a token: the console's bot)."""
    if settings.telegram_bot_token is None:
        return str(BOT_USER["username"])
    return await wait_for_telegram(settings, attempts=1)


async def _grant(settings: Settings, args: argparse.Namespace, session: AsyncSession) -> int:
    await store.grant_role(session, args.user_id, "reviewer")
    await store.audit(session, None, "role_granted", f"user:{args.user_id}", "reviewer")
    print(f"{args.user_id} is now a reviewer")
    return 0


async def _revoke(settings: Settings, args: argparse.Namespace, session: AsyncSession) -> int:
    if not await store.revoke_role(session, args.user_id):
        print(f"idebot: {args.user_id} has no role", file=sys.stderr)
        return 2
    await store.audit(session, None, "role_revoked", f"user:{args.user_id}")
    print(f"{args.user_id} is no longer a reviewer")
    return 0


async def _list_staff(settings: Settings, args: argparse.Namespace, session: AsyncSession) -> int:
    for user_id in sorted(settings.admin_ids):
        print(f"{user_id}\tadmin (ADMIN_IDS)")
    for user_id in await store.reviewer_ids(session):
        print(f"{user_id}\treviewer")
    return 0


async def _purge(settings: Settings, args: argparse.Namespace, session: AsyncSession) -> int:
    cutoff = utcnow() - timedelta(days=settings.draft_retention_days)
    print(f"deleted {await store.purge_drafts(session, cutoff)} abandoned drafts")
    return 0
