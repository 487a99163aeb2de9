"""The data of forum, newsletter and subscription buttons: one codec per kind, buttons
already in people's chats keep working, and nothing forged gets through."""

from __future__ import annotations

import pytest

from bot.buttons import MAX_DATA_BYTES, MAX_ID, CallbackData
from bot.forums.rules import OtherLanguage
from handlers.forum_admin import (
    FlowButton,
    FlowChoice,
    ForumAction,
    ForumAdminButton,
    TranslateButton,
)
from handlers.forum_notices import CalendarButton, RsvpButton
from handlers.newsletter import NewsletterAction, NewsletterButton, NewsletterLanguageButton
from handlers.subscriptions import SubscribeButton

LARGEST: list[CallbackData] = [
    RsvpButton(MAX_ID, going=False),
    CalendarButton(MAX_ID),
    *(ForumAdminButton(action, MAX_ID) for action in ForumAction),
    *(TranslateButton(MAX_ID, language) for language in OtherLanguage),
    *(FlowButton(choice) for choice in FlowChoice),
    *(NewsletterButton(action, MAX_ID) for action in NewsletterAction),
    *(NewsletterLanguageButton(MAX_ID, language) for language in OtherLanguage),
    SubscribeButton(yes=True),
]


@pytest.mark.parametrize("button", LARGEST, ids=str)
def test_every_button_fits_telegrams_limit_and_reads_back(button: CallbackData) -> None:
    data = button.pack()
    assert len(data.encode()) <= MAX_DATA_BYTES
    assert type(button).parse(data) == button
    assert CallbackData.kinds()[button.prefix] is type(button)


def test_buttons_already_sent_to_members_keep_their_data() -> None:
    assert RsvpButton(12, going=True).pack() == "fr:12:y"
    assert RsvpButton(12, going=False).pack() == "fr:12:n"
    assert CalendarButton(12).pack() == "fi:12"
    assert SubscribeButton(yes=False).pack() == "sub:n"
    assert FlowButton(FlowChoice.SKIP).pack() == "fd:skip"
    assert TranslateButton(12, OtherLanguage("en")).pack() == "ftl:12:en"
    assert NewsletterButton(NewsletterAction.SEND, 3).pack() == "nl:send:3"


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (RsvpButton, "fr:12:maybe"),
        (RsvpButton, "fr:x:y"),
        (RsvpButton, f"fr:{MAX_ID + 1}:y"),
        (CalendarButton, "fi:"),
        (ForumAdminButton, "fa:explode:1"),
        (ForumAdminButton, "fa:publish:-1"),
        (ForumAdminButton, "fa:publish"),
        (TranslateButton, "ftl:1:sv"),  # Swedish is the original, not a translation
        (TranslateButton, "ftl:1:de"),
        (NewsletterLanguageButton, "nll:1:sv"),
        (NewsletterButton, "nl:lang:1"),
        (FlowButton, "fd:back"),
        (SubscribeButton, "sub:maybe"),
        (SubscribeButton, "sub:y:y"),
    ],
)
def test_forged_data_is_not_a_button(kind: type[CallbackData], data: str) -> None:
    assert kind.parse(data) is None
    assert not kind.matches(data)
