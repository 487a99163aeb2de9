"""Public pages, rendered on the server: the agreement in every language, upcoming forums
and the register. Plain HTML and one style sheet, no JavaScript: they work on any phone, with
a screen reader, and at any zoom.

The language is `?lang=xx` (every link on a page keeps it), else the browser's
Accept-Language, else the default language; every visible word comes from our gettext
catalogs (the templates call `pgettext`, which `scripts/catalogs.py` extracts from them)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.config import SUPPORTED_LANGUAGES, Language
from bot.content import AUTHORITATIVE, Entry, Pack
from bot.forums.rules import LINK, text_in, when
from bot.i18n import I18n, Translator, native_name, normalise_language
from bot.i18n import web_language_tag as tag
from bot.links import LinkKind, start_url
from bot.web import bot_of
from storage import applications as register_store
from storage import forums as forum_store
from storage import links as link_store
from storage.models import Forum

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
INTRO_LENGTH = 240  # characters of an entry's first paragraph shown on the front page
UPCOMING = 50  # forums listed at most
SECURITY_HEADERS = {
    # Nothing runs: no script may load, nothing but our own style sheet and images.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@functools.cache
def environment() -> Environment:
    """The templates, autoescaped; made on first use, not at import."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page_language(request: Request, default: Language) -> Language:
    """`?lang=xx`, else the first supported language the browser asks for, else `default`."""
    chosen = normalise_language(request.query_params.get("lang"))
    if chosen:
        return chosen
    return accepted(request.headers.get("accept-language", "")) or default


def accepted(header: str) -> Language | None:
    """The supported language the browser prefers most (Accept-Language, weights honoured)."""
    ranked: list[tuple[float, int, Language]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        language = normalise_language(tag.strip())
        if language and weight > 0:
            ranked.append((-weight, position, language))
    return min(ranked)[2] if ranked else None


@dataclass(frozen=True)
class Block:
    """A piece of an entry's text: a paragraph, or a list (lines that start with "•")."""

    text: str = ""
    items: tuple[str, ...] = ()


def blocks(body: str) -> list[Block]:
    """An entry's body as paragraphs and lists, so that lists are read as lists."""
    found: list[Block] = []
    for paragraph in body.split("\n\n"):
        lines: list[str] = []
        items: list[str] = []
        for line in paragraph.splitlines():
            if line.lstrip().startswith("•"):
                if lines:
                    found.append(Block(text=" ".join(lines)))
                    lines = []
                items.append(line.lstrip().removeprefix("•").strip())
                continue
            if items:
                found.append(Block(items=tuple(items)))
                items = []
            if line.strip():
                lines.append(line.strip())
        if lines:
            found.append(Block(text=" ".join(lines)))
        if items:
            found.append(Block(items=tuple(items)))
    return found


def intro(entry: Entry) -> str:
    """The entry's first paragraph, cut at a word near `INTRO_LENGTH` characters."""
    first = next((b.text for b in blocks(entry.body) if b.text), "")
    if len(first) <= INTRO_LENGTH:
        return first
    return first[:INTRO_LENGTH].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


class Page:
    """One request's language and the helpers every template uses."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.bot = bot_of(request)
        i18n = self.bot.bot_data.i18n
        if i18n is None:
            raise RuntimeError("the bot has not started: no translations yet")
        self.i18n: I18n = i18n
        self.t: Translator = i18n.translator(page_language(request, i18n.default))

    @property
    def pack(self) -> Pack:
        knowledge, settings = self.bot.bot_data.knowledge, self.bot.bot_data.settings
        if knowledge is None or settings is None:
            raise RuntimeError("the bot has not started: no content yet")
        return knowledge.packs[settings.content_pack]

    def url(self, name: str, language: str | None = None, **params: Any) -> str:
        """Our page `name` in this page's language (or `language`)."""
        path = self.request.app.url_path_for(name, **params)
        return f"{path}?lang={language or self.t.language}"

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        t = self.t
        settings = self.bot.bot_data.settings
        here = self.request.url.path
        context = {
            "lang": tag(t.language),
            "dir": "rtl" if t.rtl else "ltr",
            "pgettext": _marked(t.pgettext),
            "npgettext": _marked(t.npgettext),
            "url": self.url,
            "static": self.request.app.url_path_for("static", path="site.css"),
            "languages": [  # (BCP 47 tag, its own name, address, is it this page's)
                (tag(code), native_name(code), f"{here}?lang={code}", code == t.language)
                for code in SUPPORTED_LANGUAGES
            ],
            "bot_url": f"https://t.me/{self.bot.bot.username}",
            "pack": self.pack.info(t.language),
            "contact_name": settings.contact_name if settings else "",
            "contact_email": settings.contact_email if settings else None,
            **values,
        }
        html = environment().get_template(template).render(context)
        headers = {
            "Content-Language": tag(t.language),
            "Vary": "Accept-Language",
            **SECURITY_HEADERS,
        }
        return HTMLResponse(html, status_code=status, headers=headers)

    def now(self) -> datetime:
        return self.bot.bot_data.clock()


def _marked(translate: Callable[..., str]) -> Callable[..., Markup]:
    """A translation for a template: catalog texts are trusted HTML, values are escaped."""

    def marked(*args: Any, **values: Any) -> Markup:
        return Markup(translate(*args, **values))  # noqa: S704  (values escaped by the Translator)

    return marked


async def home(request: Request) -> Response:
    """The agreement: its principles and topics, each with its title and a short intro."""
    page = Page(request)
    entries = page.pack.entries(page.t.language)
    return page.render(
        "home.html",
        principles=[(e, intro(e)) for e in entries if e.kind == "principle"],
        topics=[(e, intro(e)) for e in entries if e.kind == "topic"],
    )


async def entry(request: Request) -> Response:
    """One principle or topic: its whole text, commitments by party, and its source."""
    page = Page(request)
    found = page.pack.entry(page.t.language, request.path_params["entry_id"])
    if found is None:
        return not_found_page(page)
    return page.render(
        "entry.html",
        entry=found,
        blocks=blocks(found.body),
        original=page.url("entry", AUTHORITATIVE, entry_id=found.id),
        authoritative=page.pack.info(AUTHORITATIVE),
    )


@dataclass(frozen=True)
class ForumView:
    """A forum as the page shows it, in the reader's language."""

    forum: Forum
    title: str
    description: list[Block]
    fell_back: bool  # the text is the Swedish one
    when: str
    answer_url: str | None  # the forum's invitation link, when it has one
    ended: bool

    @property
    def cancelled(self) -> bool:
        return self.forum.status == forum_store.CANCELLED

    @property
    def online(self) -> str | None:
        """The meeting link, if it is a web address (nothing else becomes a link)."""
        link = self.forum.link
        return link if link and LINK.match(link) else None


async def _view(page: Page, session: Any, forum: Forum) -> ForumView:
    title, text, fell_back = text_in(forum, page.t.language)
    link = await link_store.current(session, LinkKind.FORUM, forum.id)
    username = page.bot.bot.username
    return ForumView(
        forum=forum,
        title=title,
        description=blocks(text),
        fell_back=fell_back,
        when=when(page.t, forum),
        answer_url=start_url(username, link.token) if link and username else None,
        ended=forum.ends_at <= page.now(),
    )


async def forums(request: Request) -> Response:
    """Forums that are published and have not ended, soonest first."""
    page = Page(request)
    db = page.bot.bot_data.db
    assert db is not None
    async with db.transaction() as session:
        found = await forum_store.upcoming(session, page.now(), limit=UPCOMING)
        views = [await _view(page, session, forum) for forum in found]
    return page.render("forums.html", forums=views)


async def forum(request: Request) -> Response:
    """One forum (published or cancelled; a draft is nobody's business yet)."""
    page = Page(request)
    db = page.bot.bot_data.db
    assert db is not None
    forum_id = request.path_params["forum_id"]
    async with db.transaction() as session:
        found = await forum_store.get_forum(session, forum_id) if forum_id < 2**31 else None
        if found is None or found.status == forum_store.DRAFT:
            return not_found_page(page)
        view = await _view(page, session, found)
    return page.render("forum.html", view=view)


async def register(request: Request) -> Response:
    """The public register: organisations that signed and chose to be listed, and have not
    left."""
    page = Page(request)
    db = page.bot.bot_data.db
    assert db is not None
    async with db.transaction() as session:
        members = await register_store.members(session, public_only=True)
    rows = [(m.name, m.area or "", page.t.date(m.joined_on), m.joined_on) for m in members]
    return page.render("register.html", members=rows)


def not_found_page(page: Page) -> HTMLResponse:
    return page.render("not_found.html", status=404)


async def not_found(request: Request, _error: Exception) -> Response:
    """Any unknown address, in the reader's language (the app's 404 handler)."""
    return not_found_page(Page(request))


ROUTES: list[BaseRoute] = [
    Route("/", home, name="home"),
    Route("/principles/{entry_id:path}", entry, name="entry"),
    Route("/forums", forums, name="forums"),
    Route("/forums/{forum_id:int}", forum, name="forum"),
    Route("/register", register, name="register"),
    Mount("/static", StaticFiles(directory=STATIC), name="static"),
]
EXCEPTION_HANDLERS: dict[Any, Any] = {404: not_found}  # for the app: any other address
