"""`idebot content status` and `idebot content stamp`: how complete and how fresh each
translation of the content packs is, for whoever maintains them."""

from __future__ import annotations

import argparse
import sys

from bot.config import SUPPORTED_LANGUAGES, Settings
from bot.content import available_packs
from bot.content_status import pack_status, stamp


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    content = commands.add_parser("content", help="the content packs' translations")
    content_commands = content.add_subparsers(title="content commands", required=True)
    status = content_commands.add_parser(
        "status",
        help="per language: entries missing, stale (the Swedish changed since) and unreviewed",
    )
    status.add_argument("--pack", default=None, help="one pack (default: every pack)")
    status.add_argument("--brief", action="store_true", help="counts only, no entry ids")
    status.set_defaults(action=_status, log_level="WARNING")
    stamp_it = content_commands.add_parser(
        "stamp",
        help="record that a language's translation now matches today's Swedish text",
    )
    stamp_it.add_argument("--pack", required=True)
    stamp_it.add_argument(
        "--language", required=True, choices=[c for c in SUPPORTED_LANGUAGES if c != "sv"]
    )
    stamp_it.set_defaults(action=_stamp, log_level="WARNING")


def _status(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 1 when an entry is missing (a pack the bot cannot load); stale and unreviewed
    entries are reported but are not errors."""
    packs = [args.pack] if args.pack else available_packs(settings.content_dir)
    incomplete = False
    for pack in packs:
        print(f"{pack}:")
        for row in pack_status(settings.content_dir / pack):
            incomplete |= not row.complete
            counts = (
                f"{len(row.missing)} missing, {len(row.stale)} stale, "
                f"{len(row.unreviewed)} unreviewed"
            )
            print(f"  {row.language:8} {row.problem or counts}")
            if args.brief:
                continue
            for label, ids in (("missing", row.missing), ("stale", row.stale)):
                if ids and not row.problem:
                    print(f"           {label}: {', '.join(ids)}")
    return 1 if incomplete else 0


def _stamp(settings: Settings, args: argparse.Namespace) -> int:
    folder = settings.content_dir / args.pack
    if not folder.is_dir():
        print(f"idebot: no content pack {args.pack!r} in {settings.content_dir}", file=sys.stderr)
        return 2
    count = stamp(folder, args.language)
    print(f"{args.pack}/{args.language}: {count} entries now marked as made from today's Swedish")
    return 0
