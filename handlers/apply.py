"""/apply: the written application as a guided form. The steps are `bot.application_form`
(every answer saved at once, so a draft survives restarts), submission is
`bot.application_workflow`; this module reads messages and presses and shows each step."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import application_form as form
from bot import application_workflow as workflow
from bot.application_form import FormAction
from bot.applications import CHOICES, OPTIONAL, Field
from bot.buttons import SEPARATOR, Button, CallbackData, Rows
from bot.context import CustomContext, IdeApplication
from bot.i18n import Translator
from handlers.apply_texts import (
    choice_label,
    duplicate_text,
    field_label,
    problem_text,
    prompt,
    summary_text,
)
from handlers.fallback import answer_stale
from handlers.menu import Menu, MenuItem
from handlers.turn import Turn, with_turn
from storage import applications as store
from storage.models import Application, Conversation

NONE = "-"  # the value of a button whose action needs none


@dataclass(frozen=True)
class FormButton(CallbackData):
    """A button under one draft's form; `value` is what the action needs: a choice's code,
    a field, y or n (see `FormAction`), or '-'."""

    prefix = "af"
    draft: int
    action: FormAction
    value: str = NONE

    @classmethod
    def of_draft(cls, draft_id: int) -> str:
        """How the data of every button of this draft's form begins."""
        return f"{cls.prefix}{SEPARATOR}{draft_id}{SEPARATOR}"


def _button(draft: Application, label: str, action: FormAction, value: str = NONE) -> Button:
    return FormButton(draft.id, action, value).button(label)


def _keyboard(t: Translator, draft: Application, field: Field) -> Rows:
    rows = [
        [_button(draft, choice_label(t, code), FormAction.CHOOSE, code)]
        for code in CHOICES.get(field, ())
    ]
    if field is Field.ORG_NUMBER:
        rows.append(
            [_button(draft, t.pgettext("apply", "We don't have one"), FormAction.NO_NUMBER)]
        )
    if field is Field.CONSENT:
        rows.append([_button(draft, t.pgettext("apply", "✅ I agree"), FormAction.AGREE)])
    if field is Field.PUBLIC:
        yes, no = t.pgettext("apply", "Yes, show us"), t.pgettext("apply", "No")
        rows.append(
            [
                _button(draft, yes, FormAction.PUBLIC, "y"),
                _button(draft, no, FormAction.PUBLIC, "n"),
            ]
        )
    if field in OPTIONAL:
        rows.append([_button(draft, t.pgettext("apply", "Skip"), FormAction.SKIP, field)])
    rows.append(_navigation(t, draft, field))
    return rows


def _navigation(t: Translator, draft: Application, field: Field | None) -> list[Button]:
    row = []
    if field is not None and field is not form.FIRST and not draft.editing:
        row.append(_button(draft, t.pgettext("apply", "« Back"), FormAction.BACK, field))
    row.append(_button(draft, t.pgettext("apply", "⏸ Later"), FormAction.LATER))
    row.append(_button(draft, t.pgettext("apply", "✖ Cancel"), FormAction.CANCEL))
    return row


def show_step(context: CustomContext, turn: Turn, draft: Application) -> None:
    """Ask for the draft's current field, or show the summary when all are answered."""
    t, field = turn.t, form.current_field(draft)
    if field is not None:
        text = prompt(t, field, context.settings.draft_retention_days)
        turn.reply(text, _keyboard(t, draft, field))
        return
    rows = [
        [_button(draft, t.pgettext("apply", "📨 Submit the application"), FormAction.SUBMIT)],
        [_button(draft, t.pgettext("apply", "✏️ Change an answer"), FormAction.FIELDS)],
        _navigation(t, draft, None),
    ]
    turn.reply(summary_text(t, draft), rows)


@with_turn
async def apply_command(update: Update, context: CustomContext, turn: Turn) -> None:
    await _open_form(update, context, turn)


@with_turn
async def apply_menu_button(update: Update, context: CustomContext, turn: Turn) -> None:
    await _open_form(update, context, turn)


async def _open_form(update: Update, context: CustomContext, turn: Turn) -> None:
    person = update.effective_user
    if person is None:
        return
    await turn.keep_user()  # to be told of the decision
    opened = await form.open_form(turn.session, person.id, turn.t.language, context.now())
    if opened.resumed:
        turn.reply(turn.t.pgettext("apply", "Welcome back! Let's continue your application."))
    else:
        turn.reply(
            turn.t.pgettext(
                "apply",
                "<b>Written application to join the agreement</b>\n\nI will ask 10–14 short "
                "questions. Your answers are saved as you go: you can pause and continue "
                "later with /apply.",
            )
        )
    show_step(context, turn, opened.draft)


async def take_message(
    context: CustomContext, turn: Turn, filling: Conversation, message: Message
) -> bool:
    """A message while the form is open (sent here by the router); False if the draft is
    gone (submitted, or deleted after long disuse)."""
    draft = await store.current_draft(turn.session, filling.user_id)
    if draft is None or draft.id != filling.subject_id:
        return False
    await receive(context, turn, draft, message)
    return True


async def receive(
    context: CustomContext, turn: Turn, draft: Application, message: Message
) -> None:
    """A message while the form waits for an answer."""
    t, now, document = turn.t, context.now(), message.document
    if not form.takes_message(draft):
        turn.reply(t.pgettext("apply", "Please use the buttons below."))
        show_step(context, turn, draft)
    elif form.current_field(draft) is Field.ATTACHMENT and document is None:
        turn.reply(_not_a_file(t, message))
    elif form.current_field(draft) is Field.ATTACHMENT and document is not None:
        answered = form.attach(
            draft, document.file_id, filename=document.file_name,
            mime_type=document.mime_type, size=document.file_size, now=now,
        )  # fmt: skip
        _show_answered(context, turn, draft, answered, "")
    elif message.text:
        answered = await form.answer_text(turn.session, draft, message.text, now)
        _show_answered(context, turn, draft, answered, message.text)
    else:
        turn.reply(t.pgettext("apply", "Please answer with a text message."))


def _not_a_file(t: Translator, message: Message) -> str:
    if message.photo:
        return t.pgettext("apply", "Please send the PDF as a file (📎 → File), not as a photo.")
    return t.pgettext("apply", "Please send a PDF file, or press Skip.")


def _show_answered(
    context: CustomContext, turn: Turn, draft: Application, answered: form.Answered, given: str
) -> None:
    """The next step after a saved answer; else why it was not saved (the step stays)."""
    field = form.current_field(draft)
    if answered.duplicate is not None:
        turn.reply(duplicate_text(turn.t, answered.duplicate))
    elif answered.problem is not None and field is not None:
        turn.reply(problem_text(turn.t, field, answered.problem, given))
    else:
        show_step(context, turn, draft)


@with_turn
async def form_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query, person = update.callback_query, update.effective_user
    button = FormButton.parse(query.data) if query else None
    draft = await store.current_draft(turn.session, person.id) if person else None
    if button is None or draft is None or button.draft != draft.id:
        answer_stale(turn)
        return
    turn.drop_buttons(FormButton.of_draft(draft.id), echo=True)
    await _act(context, turn, draft, button)


async def _act(context: CustomContext, turn: Turn, draft: Application, button: FormButton) -> None:
    t, now = turn.t, context.now()
    if button.action is FormAction.LATER:
        await form.pause(turn.session, draft, now)
        turn.reply(t.pgettext("apply", "Saved. Continue any time with /apply."))
    elif button.action is FormAction.CANCEL:
        await form.cancel(turn.session, draft)
        turn.reply(
            t.pgettext(
                "apply",
                "Your application has been cancelled and its draft deleted. Start again any "
                "time with /apply.",
            )
        )
    elif button.action is FormAction.FIELDS:
        rows = [
            [_button(draft, field_label(t, f), FormAction.EDIT, f)]
            for f in form.editable_fields(draft)
        ]
        turn.reply(t.pgettext("apply", "Which answer do you want to change?"), rows)
    elif button.action is FormAction.SUBMIT:
        await _submit(context, turn, draft)
    else:
        form.press(draft, button.action, button.value, now)
        show_step(context, turn, draft)


async def _submit(context: CustomContext, turn: Turn, draft: Application) -> None:
    admins, now = context.settings.admin_ids, context.now()
    result = await workflow.submit(turn.session, draft, admins, now)
    if result.duplicate is not None:
        turn.reply(duplicate_text(turn.t, result.duplicate))
    elif result.done:
        turn.reply(
            turn.t.pgettext(
                "apply",
                "Thank you! Your application has been submitted. Your reference number is "
                "<b>{reference}</b>. I will tell you here when it has been reviewed.",
                reference=draft.reference or "",
            )
        )
    else:
        show_step(context, turn, draft)


def register(app: IdeApplication) -> None:
    app.add_handler(CommandHandler("apply", apply_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(apply_menu_button, pattern=Menu(MenuItem.APPLY).pressed))
    app.add_handler(CallbackQueryHandler(form_button, pattern=FormButton.matches))
