"""/apply: the written application as a guided form. Every answer is saved at once, so a
draft survives restarts; the person can go back, edit from the summary, pause or cancel."""

from __future__ import annotations

from telegram import Document, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import applications as form
from bot.applications import Field
from bot.buttons import Button, Rows
from bot.context import CustomContext, IdeApplication
from bot.i18n import Translator
from handlers import review
from handlers.apply_texts import (
    choice_label,
    field_label,
    problem_text,
    prompt,
    summary_text,
)
from handlers.fallback import answer_stale
from handlers.menu import Menu, MenuItem
from handlers.turn import Turn, with_turn
from storage import applications as store
from storage.models import Application, utcnow

FORM = "af:"  # af:<draft id>:<action>[:<argument>]


def _button(label: str, draft: Application, action: str) -> Button:
    return Button(label, f"{FORM}{draft.id}:{action}")


def _keyboard(t: Translator, draft: Application, field: Field) -> Rows:
    rows: list[list[Button]] = []
    if field in form.CHOICES:
        rows += [
            [_button(choice_label(t, field, code), draft, f"c:{code}")]
            for code in form.CHOICES[field]
        ]
    if field is Field.ORG_NUMBER:
        rows.append([_button(t.pgettext("apply", "We don't have one"), draft, "nonum")])
    if field is Field.CONSENT:
        rows.append([_button(t.pgettext("apply", "✅ I agree"), draft, "agree")])
    if field is Field.PUBLIC:
        rows.append(
            [
                _button(t.pgettext("apply", "Yes, show us"), draft, "pub:y"),
                _button(t.pgettext("apply", "No"), draft, "pub:n"),
            ]
        )
    if field in form.OPTIONAL:
        rows.append([_button(t.pgettext("apply", "Skip"), draft, "skip")])
    rows.append(_navigation(t, draft, back=form.ORDER.index(field) > 0 and not draft.editing))
    return rows


def _navigation(t: Translator, draft: Application, *, back: bool) -> list[Button]:
    row = [_button(t.pgettext("apply", "« Back"), draft, "back")] if back else []
    row.append(_button(t.pgettext("apply", "⏸ Later"), draft, "later"))
    row.append(_button(t.pgettext("apply", "✖ Cancel"), draft, "cancel"))
    return row


async def show_step(context: CustomContext, turn: Turn, draft: Application) -> None:
    """Ask for the draft's current field, or show the summary when all are answered."""
    t = turn.t
    if draft.step is None:
        rows = [
            [_button(t.pgettext("apply", "📨 Submit the application"), draft, "submit")],
            [_button(t.pgettext("apply", "✏️ Change an answer"), draft, "fields")],
            _navigation(t, draft, back=False),
        ]
        turn.reply(summary_text(t, draft), rows)
        return
    field = Field(draft.step)
    turn.reply(prompt(t, field, context.settings.draft_retention_days), _keyboard(t, draft, field))


async def advance(context: CustomContext, turn: Turn, draft: Application, done: Field) -> None:
    """After a valid answer: the next field, or back to the summary when editing."""
    following = form.next_field(done, has_number=not draft.no_number)
    if done is Field.ORG_NUMBER and draft.no_number and draft.editing:
        following = Field.NO_NUMBER_REASON  # the reason is needed before the summary
    elif draft.editing or following is None:
        following = None
        draft.editing = False
    draft.step = following.value if following else None
    draft.updated_at = utcnow()
    await show_step(context, turn, draft)


@with_turn
async def apply_command(update: Update, context: CustomContext, turn: Turn) -> None:
    await _open_form(update, context, turn)


@with_turn
async def apply_menu_button(update: Update, context: CustomContext, turn: Turn) -> None:
    if update.callback_query:
        turn.answer()
    await _open_form(update, context, turn)


async def _open_form(update: Update, context: CustomContext, turn: Turn) -> None:
    person = update.effective_user
    if person is None:
        return
    draft = await store.current_draft(turn.session, person.id)
    if draft is None:
        draft = await store.start_draft(turn.session, person.id, turn.t.language, Field.ORG_NAME)
        turn.reply(
            turn.t.pgettext(
                "apply",
                "<b>Written application to join the agreement</b>\n\nI will ask 10–14 short "
                "questions. Your answers are saved as you go: you can pause and continue "
                "later with /apply.",
            )
        )
    else:
        draft.paused = False
        turn.reply(turn.t.pgettext("apply", "Welcome back! Let's continue your application."))
    await show_step(context, turn, draft)


async def receive(
    context: CustomContext, turn: Turn, draft: Application, message: Message
) -> None:
    """A message while the form waits for an answer (called by the inbox)."""
    field = Field(draft.step) if draft.step else None
    if field is None or field in {Field.CONSENT, Field.PUBLIC, Field.ORG_FORM}:
        turn.reply(turn.t.pgettext("apply", "Please use the buttons below."))
        await show_step(context, turn, draft)
        return
    if field is Field.ATTACHMENT:
        await _receive_attachment(context, turn, draft, message)
        return
    if not message.text:
        turn.reply(turn.t.pgettext("apply", "Please answer with a text message."))
        return
    checked = await _check(turn, draft, field, message.text)
    if checked is None:
        return
    if not checked.ok:
        turn.reply(problem_text(turn.t, field, checked.problem, message.text))
        return
    setattr(draft, field.value, checked.value)
    if field is Field.ORG_NUMBER:
        draft.no_number, draft.no_number_reason = False, None
    await advance(context, turn, draft, field)


async def _check(turn: Turn, draft: Application, field: Field, text: str) -> form.Checked | None:
    """Validate one answer; None when a message was already sent (a duplicate)."""
    if field is Field.ORG_NUMBER:
        checked = form.check_org_number(text)
        if checked.ok and checked.value and await _duplicate(turn, draft, checked.value):
            return None
        return checked
    checks = {
        Field.EMAIL: form.check_email,
        Field.PHONE: form.check_phone,
        Field.WEBSITE: form.check_website,
    }
    if field in checks:
        return checks[field](text)
    return form.check_text(field, text, name_like=field in {Field.ORG_NAME, Field.CONTACT_NAME})


async def _duplicate(turn: Turn, draft: Application, org_number: str) -> bool:
    """Tell the person when this organisation already applied or joined."""
    member = await store.member_with_number(turn.session, org_number)
    if member is not None:
        turn.reply(
            turn.t.pgettext(
                "apply",
                "{name} has already joined the agreement (since {date}). No need to apply again.",
                name=member.name,
                date=turn.t.date(member.joined_on),
            )
        )
        return True
    existing = await store.open_with_number(turn.session, org_number, exclude=draft.id)
    if existing is None:
        return False
    turn.reply(
        turn.t.pgettext(
            "apply",
            "An application for this organisation number is already being reviewed "
            "(reference {reference}, submitted {date}). You will hear from us; there is no "
            "need to apply again.",
            reference=existing.reference or "",
            date=turn.t.datetime(existing.submitted_at or existing.created_at, "d MMM y"),
        )
    )
    return True


async def _receive_attachment(
    context: CustomContext, turn: Turn, draft: Application, message: Message
) -> None:
    document: Document | None = message.document
    if document is None:
        text = (
            turn.t.pgettext("apply", "Please send the PDF as a file (📎 → File), not as a photo.")
            if message.photo
            else turn.t.pgettext("apply", "Please send a PDF file, or press Skip.")
        )
        turn.reply(text)
        return
    checked = form.check_pdf(document.file_name, document.mime_type, document.file_size)
    if not checked.ok:
        turn.reply(problem_text(turn.t, Field.ATTACHMENT, checked.problem, ""))
        return
    draft.attachment_file_id, draft.attachment_name = document.file_id, checked.value
    await advance(context, turn, draft, Field.ATTACHMENT)


@with_turn
async def form_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    person = update.effective_user
    parts = (query.data or "").removeprefix(FORM).split(":", 2) if query else []
    draft = await store.current_draft(turn.session, person.id) if person else None
    if query is None or draft is None or len(parts) < 2 or parts[0] != str(draft.id):
        answer_stale(turn)
        return
    turn.answer()
    turn.drop_buttons(f"{FORM}{draft.id}:", echo=True)
    action, argument = parts[1], parts[2] if len(parts) > 2 else ""
    await _act(context, turn, draft, action, argument)


async def _act(
    context: CustomContext, turn: Turn, draft: Application, action: str, argument: str
) -> None:
    field = Field(draft.step) if draft.step else None
    t = turn.t
    if action == "later":
        draft.paused = True
        turn.reply(t.pgettext("apply", "Saved. Continue any time with /apply."))
    elif action == "cancel":
        turn.reply(
            t.pgettext(
                "apply",
                "Your application has been cancelled and its draft deleted. Start again any "
                "time with /apply.",
            )
        )
        await turn.session.delete(draft)
    elif action == "back" and field is not None:
        draft.step = (form.previous_field(field, has_number=not draft.no_number) or field).value
        await show_step(context, turn, draft)
    elif action == "fields":
        rows = [
            [_button(field_label(t, f), draft, f"edit:{f.value}")]
            for f in form.ORDER
            if f is not Field.NO_NUMBER_REASON or draft.no_number
        ]
        turn.reply(t.pgettext("apply", "Which answer do you want to change?"), rows)
    elif action == "edit" and argument in {f.value for f in Field}:
        draft.step, draft.editing = argument, True
        await show_step(context, turn, draft)
    elif action == "submit" and field is None:
        await _submit(context, turn, draft)
    elif field is not None and _answer_by_button(draft, field, action, argument):
        await advance(context, turn, draft, field)
    else:
        await show_step(context, turn, draft)


def _answer_by_button(draft: Application, field: Field, action: str, argument: str) -> bool:
    """Apply a button answer for `field`; False when the button does not fit it."""
    if action == "c" and argument in form.CHOICES.get(field, ()):
        setattr(draft, field.value, argument)
    elif action == "nonum" and field is Field.ORG_NUMBER:
        draft.no_number, draft.org_number = True, None
    elif action == "agree" and field is Field.CONSENT:
        draft.consent_at = utcnow()
    elif action == "pub" and field is Field.PUBLIC and argument in {"y", "n"}:
        draft.public = argument == "y"
    elif action == "skip" and field in form.OPTIONAL:
        if field is Field.ATTACHMENT:
            draft.attachment_file_id = draft.attachment_name = None
        else:
            setattr(draft, field.value, None)
    else:
        return False
    return True


async def _submit(context: CustomContext, turn: Turn, draft: Application) -> None:
    if draft.org_number and await _duplicate(turn, draft, draft.org_number):
        return
    if not await store.submit(turn.session, draft, form.reference(draft.id, utcnow().year)):
        await _duplicate(turn, draft, draft.org_number or "")  # it arrived a moment earlier
        return
    await store.audit(turn.session, draft.applicant_id, "submitted", f"application:{draft.id}")
    turn.reply(
        turn.t.pgettext(
            "apply",
            "Thank you! Your application has been submitted. Your reference number is "
            "<b>{reference}</b>. I will tell you here when it has been reviewed.",
            reference=draft.reference or "",
        )
    )
    await review.notify_reviewers(context, turn.session, draft, "new")


def register(app: IdeApplication) -> None:
    app.add_handler(CommandHandler("apply", apply_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(apply_menu_button, pattern=Menu(MenuItem.APPLY).pressed))
    app.add_handler(CallbackQueryHandler(form_button, pattern=f"^{FORM}"))
