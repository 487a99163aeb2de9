"""The flows a person's typed text can belong to; outside all of them, it is a question.

`storage.models.Conversation` keeps which flow a person is in (one at most) and at which
step; `handlers/router.py` sends their text there. Each flow declares its steps once, in
the module that owns it: the application form in `bot.application_form` (`ORDER` of
`bot.applications.Field`), the staff's forum flows in `bot.forums.staff_flow` (`FLOWS`),
the one-step flows (a reason, a question, an answer, a newsletter's text, access needs, a
feedback comment, minutes) where they are taken.
"""

from __future__ import annotations

from enum import StrEnum


class Flow(StrEnum):
    APPLICATION = "application"  # the written application form (subject: the draft)
    REJECT_REASON = "reject_reason"  # a reviewer writes why (subject: the application)
    QUESTION = "question"  # a reviewer writes a question to the applicant
    ANSWER = "answer"  # the applicant answers the reviewer's question
    NEW_FORUM = "forum"  # /newforum, question by question
    MOVE_FORUM = "move"  # a new time for a forum (subject: the forum)
    TRANSLATE_FORUM = "translate"  # a forum's texts in one more language
    NEWSLETTER = "newsletter"  # a newsletter's text in one language (subject: the letter)
    NEEDS = "needs"  # someone coming writes their access needs (subject: the forum)
    FEEDBACK = "feedback"  # a comment after rating a forum (subject: the forum)
    MINUTES = "minutes"  # staff write a forum's minutes in one language (subject: the forum)

    FOLLOWUP = "followup"  # what should change, in the yearly follow-up (subject: the answer)
    FOLLOWUP_DEADLINE = "followup_deadline"  # staff type the follow-up's deadline


STAFF_FLOWS = frozenset(
    {
        Flow.NEW_FORUM,
        Flow.MOVE_FORUM,
        Flow.TRANSLATE_FORUM,
        Flow.NEWSLETTER,
        Flow.MINUTES,
        Flow.FOLLOWUP_DEADLINE,
    }
)  # for ADMIN_IDS only: checked again when their text arrives
