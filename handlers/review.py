"""Staff review of applications: approve, reject with a reason, or ask the applicant for
more (`bot.application_workflow` does each, audited). Every press is checked against the
reviewer role on the server; a refused one is logged."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import application_workflow as workflow
from bot.application_workflow import Audit, Outcome, Result
from bot.context import CustomContext, IdeApplication
from bot.conversations import Flow
from bot.i18n import Translator
from handlers import staff
from handlers.application_notices import ReviewAction, ReviewButton, card
from handlers.fallback import answer_stale
from handlers.turn import Turn, with_turn
from storage import applications as store
from storage.models import Application, ApplicationStatus, Conversation

log = logging.getLogger(__name__)

Action = Callable[[CustomContext, Turn, Application, int], Awaitable[None]]


@with_turn
async def review_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query, person = update.callback_query, update.effective_user
    button = ReviewButton.parse(query.data) if query else None
    if query is None or person is None or button is None:
        return
    if not await staff.is_reviewer(context, turn.session, person.id):
        log.warning("user %s pressed a review button without the role: %r", person.id, query.data)
        await workflow.refused(
            turn.session, person.id, button.application, button.pack(), context.now()
        )
        turn.answer(turn.t.pgettext("staff", "This is for municipal staff only."), alert=True)
        return
    application = await workflow.submitted(turn.session, button.application)
    if application is None:
        answer_stale(turn)
        return
    await ACTIONS[button.action](context, turn, application, person.id)


async def _open(context: CustomContext, turn: Turn, application: Application, _: int) -> None:
    heading = turn.t.pgettext(
        "review", "<b>Application {reference}</b>", reference=application.reference or ""
    )
    turn.reply(*card(turn.t, application, heading))


async def _file(context: CustomContext, turn: Turn, application: Application, _: int) -> None:
    if application.attachment_file_id:
        turn.document(application.attachment_file_id, application.reference or "")


async def _cancel(context: CustomContext, turn: Turn, _: Application, reviewer: int) -> None:
    await workflow.cancel_input(turn.session, reviewer)
    turn.reply(turn.t.pgettext("review", "All right, nothing was sent."))


async def _approve(
    context: CustomContext, turn: Turn, application: Application, reviewer: int
) -> None:
    zone, now = context.settings.zone, context.now()
    result = await workflow.approve(turn.session, application.id, reviewer, now, zone)
    _report(turn, Audit.APPROVED, result)


def _asking(kind: Flow) -> Action:
    """The Reject or Ask-for-more button: the reviewer's next text is the reason, or the
    question."""

    async def ask(context: CustomContext, turn: Turn, application: Application, user: int) -> None:
        result = await workflow.await_input(
            turn.session, user, kind, application.id, context.now()
        )
        if result.done:
            cancel = ReviewButton(application.id, ReviewAction.CANCEL)
            label = turn.t.pgettext("review", "✖ Cancel")
            turn.reply(_ask_text(turn.t, kind, application), [[cancel.button(label)]])
        else:
            _report(turn, DONE_BY[kind], result)

    return ask


ACTIONS: dict[ReviewAction, Action] = {
    ReviewAction.OPEN: _open,
    ReviewAction.FILE: _file,
    ReviewAction.CANCEL: _cancel,
    ReviewAction.APPROVE: _approve,
    ReviewAction.REJECT: _asking(Flow.REJECT_REASON),
    ReviewAction.MORE: _asking(Flow.QUESTION),
}
DONE_BY = {  # what the text a person was asked for does
    Flow.REJECT_REASON: Audit.REJECTED,
    Flow.QUESTION: Audit.ASKED,
    Flow.ANSWER: Audit.ANSWERED,
}


async def take_input(
    context: CustomContext, turn: Turn, asked: Conversation, message: Message
) -> bool:
    """The text that a reviewer or an applicant was asked for (sent here by the router)."""
    kind, session, now = Flow(asked.flow), turn.session, context.now()
    application_id, admins = asked.subject_id or 0, context.settings.admin_ids
    text, user_id = message.text or "", asked.user_id
    if kind is Flow.ANSWER:
        result = await workflow.answer(
            session, application_id, user_id, text, admins=admins, now=now
        )
    elif not await staff.is_reviewer(
        context, turn.session, user_id
    ):  # the role was taken meanwhile
        await workflow.cancel_input(session, user_id)
        turn.reply(turn.t.pgettext("staff", "This is for municipal staff only."))
        return True
    elif kind is Flow.REJECT_REASON:
        result = await workflow.reject(session, application_id, user_id, text, now)
    else:
        result = await workflow.ask_for_more(session, application_id, user_id, text, now)
    _report(turn, DONE_BY[kind], result)
    return True


def _report(turn: Turn, done: Audit, result: Result) -> None:
    """Tell the reviewer (or the applicant) what became of their action."""
    t, application = turn.t, result.application
    if result.outcome is Outcome.EMPTY:
        turn.reply(t.pgettext("apply", "Please answer with a text message."))
    elif application is None:
        return  # the application is gone (its applicant erased their data)
    elif result.outcome is Outcome.ALREADY_DECIDED:
        turn.reply(_already_decided(t, application))
    else:
        turn.reply(_confirmation(t, done, application.reference or ""))


def _ask_text(t: Translator, kind: Flow, application: Application) -> str:
    reference = application.reference or ""
    if kind is Flow.REJECT_REASON:
        return t.pgettext(
            "review",
            "Write the reason for rejecting {reference}. The applicant will read it.",
            reference=reference,
        )
    return t.pgettext(
        "review", "Write your question to the applicant of {reference}.", reference=reference
    )


def _confirmation(t: Translator, done: Audit, reference: str) -> str:
    texts = {
        Audit.APPROVED: t.pgettext(
            "review",
            "✅ {reference} approved; the organisation is now in the register.",
            reference=reference,
        ),
        Audit.REJECTED: t.pgettext(
            "review",
            "❌ {reference} rejected; the applicant has been told the reason.",
            reference=reference,
        ),
        Audit.ASKED: t.pgettext(
            "review",
            "Your question about {reference} has been sent to the applicant.",
            reference=reference,
        ),
        Audit.ANSWERED: t.pgettext(
            "review",
            "Thank you! Your answer has been added to application {reference}.",
            reference=reference,
        ),
    }
    return texts[done]


def _already_decided(t: Translator, application: Application) -> str:
    status = (
        t.pgettext("review", "approved")
        if application.status == ApplicationStatus.APPROVED
        else t.pgettext("review", "rejected")
    )
    return t.pgettext(
        "review",
        "{reference} has already been {status} by another reviewer.",
        reference=application.reference or "",
        status=status,
    )


@with_turn
async def applications_command(update: Update, context: CustomContext, turn: Turn) -> None:
    if not await staff.admit(update, context, turn, reviewers=True):
        return
    pending = await store.pending_applications(turn.session)
    if not pending:
        turn.reply(turn.t.pgettext("review", "No applications are waiting for review."))
        return
    rows = [
        [ReviewButton(a.id, ReviewAction.OPEN).button(f"{a.reference} · {a.org_name}"[:60])]
        for a in pending[:50]
    ]
    text = turn.t.npgettext(
        "review",
        "{n} application is waiting, oldest first:",
        "{n} applications are waiting, oldest first:",
        len(pending),
    )
    turn.reply(text, rows)


def register(app: IdeApplication) -> None:
    app.add_handler(
        CommandHandler("applications", applications_command, filters=filters.ChatType.PRIVATE)
    )
    app.add_handler(CallbackQueryHandler(review_button, pattern=ReviewButton.matches))
