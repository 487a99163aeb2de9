"""Answering a question: in which language, with which entries, and how sure we are."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Language
from bot.knowledge import Knowledge, Result
from bot.language_detection import CLEAR, LIKELY, Detector
from storage.models import MAX_QUESTION


@dataclass(frozen=True)
class Answer:
    result: Result
    switch_to: Language | None  # the question is clearly in another language than the user's

    @property
    def language(self) -> Language:
        return self.result.language


def answer(
    knowledge: Knowledge, detector: Detector, pack: str, user_language: Language, text: str
) -> Answer:
    """Search in the user's language, unless the question is clearly in another of ours, or
    likely in another one where, unlike in the user's, it finds a confident answer. Only
    what is kept of a question (`MAX_QUESTION` characters) is read."""
    text = text[:MAX_QUESTION]
    guess = detector.guess(text)
    if guess and guess[0] == "sv" and user_language == "sv-easy":
        guess = None  # Swedish is what a reader of easy-to-read Swedish writes
    if guess and guess[0] != user_language and guess[1] >= CLEAR:
        return Answer(knowledge.ask(pack, guess[0], text), guess[0])
    result = knowledge.ask(pack, user_language, text)
    if not result.confident and guess and guess[0] != user_language and guess[1] >= LIKELY:
        other = knowledge.ask(pack, guess[0], text)
        if other.confident:
            return Answer(other, guess[0])
    return Answer(result, None)
