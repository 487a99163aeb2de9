"""Questions in your own words: the best passage with its source, or an honest "not sure"
with the closest topics and a way to ask the municipality."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.asking import Answer, answer
from bot.buttons import Button, CallbackData
from bot.context import CustomContext, IdeApplication
from bot.i18n import Translator, native_name
from bot.text import clean_paragraphs
from handlers import handover
from handlers.entries import ShowEntry, entry_buttons, entry_text, send_long
from handlers.fallback import answer_stale
from handlers.language import SwitchLanguage
from handlers.menu import Menu, MenuItem
from handlers.turn import Turn, with_turn
from storage import questions


@dataclass(frozen=True)
class Feedback(CallbackData):
    """👍 or 👎 under an answer (only the asker's count)."""

    prefix = "fb"
    question: int
    helpful: bool


@with_turn
async def ask_command(update: Update, context: CustomContext, turn: Turn) -> None:
    question = " ".join(context.args or [])
    if question and update.effective_user:
        await respond(context, turn, update.effective_user.id, question)
    else:
        turn.reply(_prompt(turn.t))


@with_turn
async def ask_menu_button(update: Update, context: CustomContext, turn: Turn) -> None:
    turn.reply(_prompt(turn.t))


async def respond(context: CustomContext, turn: Turn, user_id: int, typed: str) -> None:
    text = clean_paragraphs(typed)
    if not text:  # only invisible characters: nothing to look up or keep
        turn.reply(_prompt(turn.t))
        return
    found = answer(
        context.knowledge, context.detector, context.settings.content_pack, turn.t.language, text
    )
    best = found.result.best
    asked = await questions.add_question(
        turn.session,
        user_id=user_id,
        pack=context.settings.content_pack,
        language=found.language,
        text=text,
        entry_id=best.entry.id if best else None,
        confident=found.result.confident,
    )
    turn.t = context.i18n.translator(found.language)
    context.metrics.question(found.language, confident=bool(found.result.confident and best))
    if found.result.confident and best:
        rows = entry_buttons(turn.t, best.entry)
        rows += [
            [ShowEntry(hit.entry.id).button("↪ " + hit.entry.title)]
            for hit in found.result.see_also()
        ]
        rows.append(_feedback_row(turn.t, asked.id))
        rows += _switch_row(turn.t, found)
        await send_long(turn, entry_text(turn.t, context.pack, best.entry), rows)
        return
    await _not_sure(context, turn, found, asked.id)


async def _not_sure(context: CustomContext, turn: Turn, found: Answer, question_id: int) -> None:
    t = turn.t
    lines = [t.pgettext("ask", "I'm not sure I have the answer to that.")]
    rows = [[ShowEntry(hit.entry.id).button(hit.entry.title)] for hit in found.result.hits]
    if rows:
        lines.append(t.pgettext("ask", "Perhaps one of these topics helps:"))
    else:
        lines.append(
            t.pgettext(
                "ask", "You can read the principles (/principles) or see what I can do (/help)."
            )
        )
    lines.append(handover.contact_line(context, t))
    rows += handover.offer_row(context, t, question_id)
    rows += _switch_row(t, found)
    text = "\n\n".join(line for line in lines if line)
    turn.reply(text, rows)


@with_turn
async def feedback_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    button = Feedback.parse(query.data) if query else None
    if (
        query is None
        or button is None
        or not await questions.set_helpful(
            turn.session, button.question, query.from_user.id, button.helpful
        )
    ):
        answer_stale(turn)  # not the asker's, or no longer there
        return
    turn.answer(turn.t.pgettext("ask", "Thank you for telling us!"))
    turn.drop_buttons(Feedback)
    if not button.helpful:
        text = turn.t.pgettext("ask", "Sorry that did not help.")
        rows = handover.offer_row(context, turn.t, button.question)
        contact = handover.contact_line(context, turn.t)
        turn.reply("\n\n".join(p for p in (text, contact) if p), rows)


def _prompt(t: Translator) -> str:
    return t.pgettext(
        "ask",
        "Write your question in your own words, in any of my languages. For example: "
        "<i>How can our association join?</i>",
    )


def _feedback_row(t: Translator, question_id: int) -> list[Button]:
    return [
        Feedback(question_id, helpful=True).button(t.pgettext("ask", "👍 This helped")),
        Feedback(question_id, helpful=False).button(t.pgettext("ask", "👎 Not really")),
    ]


def _switch_row(t: Translator, found: Answer) -> list[list[Button]]:
    if found.switch_to is None:
        return []
    label = t.pgettext("ask", "Use {language} from now on", language=native_name(found.switch_to))
    return [[SwitchLanguage(found.switch_to).button(label)]]


def register(app: IdeApplication) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("ask", ask_command, filters=private))
    app.add_handler(CallbackQueryHandler(ask_menu_button, pattern=Menu(MenuItem.ASK).pressed))
    app.add_handler(CallbackQueryHandler(feedback_button, pattern=Feedback.matches))
