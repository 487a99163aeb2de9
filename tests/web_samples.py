"""Sample data for the public pages, set up directly (the flows that make it have tests of
their own): forums in several states and languages, and members public, private and gone.
Used by tests/test_web_pages.py and scripts/browser-check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.forums import lifecycle
from bot.forums.rules import ForumFields
from bot.links import LinkKind
from storage import applications as register
from storage import links
from storage.db import Database
from storage.forums import CANCELLED, PUBLISHED

HOSTILE = '<script>alert("x")</script> & "Förening" <b>'


@dataclass(frozen=True)
class Samples:
    translated: int  # published, in Swedish, English and Arabic, with an invitation link
    swedish_only: int  # published, only in Swedish, no invitation link
    cancelled: int
    draft: int
    token: str  # the translated forum's invitation link


async def fill(db: Database, now: datetime) -> Samples:
    start = (now + timedelta(days=10)).replace(hour=16, minute=0, second=0, microsecond=0)
    async with db.transaction() as session:

        async def forum(status: str, days: int, **fields: object) -> int:
            values: dict[str, object] = {
                "titles": {"sv": "Vårträff för föreningar"},
                "descriptions": {"sv": "Vi berättar om året som gått.\n\nFika finns."},
                "starts_at": start + timedelta(days=days),
                "ends_at": start + timedelta(days=days, hours=2, minutes=30),
                "place": "Stadshuset, Campusgatan 26",
                **fields,
            }
            made = await lifecycle.create(session, ForumFields(**values), None, now)  # type: ignore[arg-type]
            made.status = status
            made.published_at = now if status != "draft" else None
            return made.id

        translated = await forum(
            PUBLISHED,
            0,
            titles={
                "sv": "Dialogforum om mötesplatser",
                "en": "Dialogue forum on meeting places",
                "ar": "منتدى الحوار حول أماكن اللقاء",
                "fi": "Vuoropuhelufoorumi kohtaamispaikoista",
            },
            descriptions={
                "sv": "Vi pratar om mötesplatser för unga.\n\n• Lokaler\n• Bidrag",
                "en": "We talk about meeting places for young people.",
                "ar": "نتحدث عن أماكن اللقاء للشباب.",
                "fi": "Puhumme nuorten kohtaamispaikoista.",
            },
            link="https://www.sodertalje.se/dialogforum",
            focus="Mötesplatser",
            capacity=60,
        )
        swedish_only = await forum(PUBLISHED, 30)
        cancelled = await forum(CANCELLED, 20, titles={"sv": "Inställt forum"})
        draft = await forum("draft", 40, titles={"sv": "Hemligt utkast"})
        token = (await links.ensure(session, LinkKind.FORUM, translated)).token

        async def member(name: str, *, public: bool, left: bool = False, area: str = "") -> None:
            made = await register.add_member(
                session,
                name=name,
                org_number=None,
                area=area or None,
                joined_on=date(2025, 3, 14),
                joined_via="forum",
                public=public,
            )
            made.left_on = date(2026, 1, 10) if left else None

        await member("Assyriska kulturföreningen", public=True, area="Kultur")
        await member("جمعية الصداقة", public=True, area="Integration")
        await member("Södertälje Schackklubb", public=True)
        await member(HOSTILE, public=True, area="Idrott")
        await member("Privata vänner", public=False, area="Kultur")
        await member("Lämnade föreningen", public=True, left=True)
    return Samples(translated, swedish_only, cancelled, draft, token)
