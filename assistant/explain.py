"""Text with emojis → what each emoji stands for.

Each emoji gets its localized and English name, keywords (CLDR), sentiment (Emoji
Sentiment Ranking) and readings ranked best first. With the implicit-emoji decoder
(assistant.decoder) the readings include sound-alikes, rebuses and community meanings,
and `rewritten` replaces each word-standing emoji by its best reading; without it the
readings are literal names and `rewritten` equals the input.
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


def explain(text: str, lang: str, lexicon: Lexicon, decoder=None) -> Explanation:
    """Readings for every emoji in `text`, decoded when a `decoder` (assistant.decoder.Decoder) is given.

    Emojis past the decoder's limit (decoder.MAX_EMOJIS) keep literal readings.
    """
    if decoder is None:
        return explain_literal(text, lang, lexicon)
    from .decoder import rewrite

    out = explain_literal(text, lang, lexicon)
    decoded = decoder.decode(text, lang, lambda e: lexicon.literal(e, lang))
    for item, d in zip(out.emojis, decoded):
        item.readings = [Reading(t, kind, score) for t, kind, score in d.readings]
    out.rewritten = rewrite(text, decoded)
    out.decoder = decoder.describe()
    return out


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
