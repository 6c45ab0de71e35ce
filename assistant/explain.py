"""Text with emojis → what each emoji stands for.

This first version gives literal readings only: each emoji's localized name and
keywords (CLDR) and its sentiment. Sound-alike, rebus and slang readings come from
the implicit-emoji decoder once a model for it ships; `rewritten` then replaces
word-standing emojis by their best reading. Until then it equals the input.
"""
from __future__ import annotations

from dataclasses import dataclass, field, asdict

from .emojis import find_emojis
from .lexicon import Lexicon
from .sentiment import sentiment

READING_KINDS = ("homophone", "rebus", "slang", "literal", "decorative")


@dataclass
class Reading:
    text: str
    kind: str  # one of READING_KINDS
    score: float


@dataclass
class EmojiExplanation:
    emoji: str
    start: int  # character offsets in the message
    end: int
    name: dict[str, str]  # {"<message language>": ..., "en": ...}
    keywords: list[str]
    sentiment: float | None
    readings: list[Reading] = field(default_factory=list)  # best first


@dataclass
class Explanation:
    text: str
    lang: str
    rewritten: str
    emojis: list[EmojiExplanation] = field(default_factory=list)
    decoder: str = "literal names only (no implicit-emoji decoder loaded)"
    sentiment_source: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def explain_literal(text: str, lang: str, lexicon: Lexicon) -> Explanation:
    """Literal readings for every emoji in `text` (a message without emojis gives none)."""
    from .sentiment import SOURCE

    found = []
    for start, end, emoji in find_emojis(text):
        local_name = lexicon.name(emoji, lang)
        found.append(EmojiExplanation(
            emoji=emoji, start=start, end=end,
            name={lang: local_name, "en": lexicon.name(emoji, "en")},
            keywords=lexicon.keywords(emoji, lang)[:8],
            sentiment=sentiment(emoji),
            readings=[Reading(local_name, "literal", 1.0)] if local_name else [],
        ))
    return Explanation(text=text, lang=lang, rewritten=text, emojis=found, sentiment_source=SOURCE)
