"""What staff read while they manage forums: each flow step's question, each problem's
explanation (one text per `Problem`, no default), and the forum's card."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.forums.door import Figures
from bot.forums.rules import AUTHORITATIVE, MAX_DESCRIPTION, MAX_LINE, MAX_TITLE, Problem
from bot.forums.staff_flow import Flow, Step
from bot.i18n import LazyText, Translator, lazy_pgettext, native_name
from handlers.forum_notices import forum_details
from handlers.link_buttons import figures_line
from storage.forums import CANCELLED, DRAFT, GOING, NOT_GOING, WAITLIST
from storage.models import Forum

EXAMPLE = "2027-03-18 18:00"

PROMPTS: dict[Step, LazyText] = {
    Step.TITLE: lazy_pgettext("forum admin", "What is the <b>title</b>, in Swedish?"),
    Step.DESCRIPTION: lazy_pgettext("forum admin", "A short <b>description</b>, in Swedish?"),
    Step.START: lazy_pgettext(
        "forum admin", "When does it <b>start</b>? Write the date and time like {example}."
    ),
    Step.END: lazy_pgettext(
        "forum admin", "When does it <b>end</b>? A time like 20:30, or a date and time."
    ),
    Step.PLACE: lazy_pgettext(
        "forum admin", "<b>Where</b>? An address or a room (skip if online only)."
    ),
    Step.LINK: lazy_pgettext(
        "forum admin", "A <b>link</b> to join online or read more? (optional)"
    ),
    Step.FOCUS: lazy_pgettext(
        "forum admin", "The <b>focus area</b>, e.g. meeting places? (optional)"
    ),
    Step.CAPACITY: lazy_pgettext(
        "forum admin", "How many <b>places</b>? A number (skip: no limit)."
    ),
    Step.DEADLINE: lazy_pgettext(
        "forum admin", "The last time to <b>answer</b>, like {example}? (optional)"
    ),
}
TRANSLATION_PROMPTS: dict[Step, LazyText] = {
    Step.TITLE: lazy_pgettext("forum admin", "The title in {language}?"),
    Step.DESCRIPTION: lazy_pgettext("forum admin", "The description in that language?"),
}

PROBLEMS: dict[Problem, LazyText] = {
    Problem.REQUIRED: lazy_pgettext("forum admin", "This one is needed."),
    Problem.TITLE_SV: lazy_pgettext("forum admin", "A Swedish title is needed."),
    Problem.TITLE_LONG: lazy_pgettext(
        "forum admin", "The title is too long: at most {title_limit} characters, please."
    ),
    Problem.DESCRIPTION_LONG: lazy_pgettext(
        "forum admin",
        "The description is too long: at most {description_limit} characters, please.",
    ),
    Problem.TOO_LONG: lazy_pgettext("forum admin", "That is too long; please shorten it."),
    Problem.DATETIME: lazy_pgettext(
        "forum admin", "I could not read that. Write it like {example}."
    ),
    Problem.IN_THE_PAST: lazy_pgettext("forum admin", "That time has already passed."),
    Problem.END_BEFORE_START: lazy_pgettext("forum admin", "The end must be after the start."),
    Problem.NO_PLACE: lazy_pgettext("forum admin", "A forum needs a place or an online link."),
    Problem.LINK: lazy_pgettext("forum admin", "A link must start with https:// or http://."),
    Problem.CAPACITY: lazy_pgettext("forum admin", "Write a whole number, like 40."),
    Problem.DEADLINE: lazy_pgettext(
        "forum admin", "The deadline must be before the start and not passed."
    ),
    Problem.NOT_DRAFT: lazy_pgettext("forum admin", "This forum has already been published."),
    Problem.CANCELLED: lazy_pgettext("forum admin", "This forum is cancelled."),
    Problem.MISSING: lazy_pgettext("forum admin", "This forum no longer exists."),
    Problem.FILE: lazy_pgettext("forum admin", "The forum file could not be read."),
}


def problem_text(t: Translator, problem: Problem) -> str:
    return t.pgettext(
        *PROBLEMS[problem],
        example=EXAMPLE,
        title_limit=MAX_TITLE,
        description_limit=MAX_DESCRIPTION,
        line_limit=MAX_LINE,
    )


def prompt(t: Translator, flow: Flow, step: Step, data: Mapping[str, Any]) -> str:
    """The question for `step`; in a translation, it names the language."""
    texts = TRANSLATION_PROMPTS if flow is Flow.TRANSLATE_FORUM else PROMPTS
    language = native_name(str(data.get("language") or AUTHORITATIVE))
    return t.pgettext(*texts[step], example=EXAMPLE, language=language)


def card_text(
    t: Translator, forum: Forum, counts: Mapping[str, int], figures: Figures | None = None
) -> str:
    """The forum as staff manage it: details, status, answers so far (and, once published,
    who was invited and who came), languages."""
    status = {
        DRAFT: t.pgettext("forum admin", "📝 Draft, not published"),
        CANCELLED: t.pgettext("forum admin", "❌ Cancelled"),
    }.get(forum.status, t.pgettext("forum admin", "📣 Published"))
    summary = t.pgettext(
        "forum admin", "Coming: {going} · Waitlist: {waitlist} · Can't come: {not_going}",
        going=counts[GOING], waitlist=counts[WAITLIST], not_going=counts[NOT_GOING],
    )  # fmt: skip
    if figures is not None and forum.status != DRAFT:
        summary += "\n" + figures_line(t, figures)
    languages = ", ".join(native_name(code) for code in sorted(forum.titles))
    texts = t.pgettext("forum admin", "Texts in: {languages}", languages=languages)
    return "\n\n".join([forum_details(t, forum), f"{status}\n{summary}\n{texts}"])
