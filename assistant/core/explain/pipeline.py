"""A message → its Explanation: literal readings for every emoji, then the explain model's.

Each emoji gets its localized and English name, keywords (CLDR), sentiment (Emoji
Sentiment Ranking) and readings ranked best first. With an explain model (folder.Decoder)
the readings include sound-alikes, rebuses and community meanings, and `rewritten` replaces
each word-standing emoji by its best reading; without it the readings are literal names and
`rewritten` equals the input.
"""
from __future__ import annotations

from ..emojis import find_emojis
from ..lexicon import Lexicon
from ..sentiment import SOURCE, sentiment
from .reading import EmojiExplanation, Explanation, Reading


def explain(text: str, lang: str, lexicon: Lexicon, decoder=None) -> Explanation:
    """Readings for every emoji in `text`, decoded when a `decoder` (assistant.core.explain.Decoder) is given.

    Emojis past the decoder's limit (decode.MAX_EMOJIS) keep literal readings.
    """
    out = explain_literal(text, lang, lexicon)
    if decoder is None:
        return out
    from .decode import rewrite

    decoded = decoder.decode(text, lang, lambda e: lexicon.literal(e, lang))
    for item, d in zip(out.emojis, decoded):
        item.readings = list(d.readings)
    out.rewritten = rewrite(text, decoded)
    out.decoder = decoder.describe()
    return out


def explain_literal(text: str, lang: str, lexicon: Lexicon) -> Explanation:
    """Literal readings for every emoji in `text` (a message without emojis gives none)."""
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
