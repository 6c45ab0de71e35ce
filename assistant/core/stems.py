"""Word stems from the Snowball stemmers (the snowballstemmer package), for the languages that
have one: they tell an inflected form of a word ("croissants", Russian "Бразилию") from another
word that only shares its first letters (French "marre", fed up, and "marron", brown).

>>> stem("croissants", "fr") == stem("croissant", "fr"), stem("marre", "fr") == stem("marron", "fr")
(True, False)
>>> stem("kot", "pl") is None
True
"""
from __future__ import annotations

import threading
from functools import lru_cache

import snowballstemmer

from .text import base_language

# The lexicon's CLDR codes → Snowball's algorithm names.
SNOWBALL = {"ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "da": "danish", "nl": "dutch",
            "en": "english", "et": "estonian", "fi": "finnish", "fr": "french", "de": "german", "el": "greek",
            "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian", "lt": "lithuanian",
            "ne": "nepali", "no": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian",
            "sr": "serbian", "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish"}


def has_stemmer(lang: str) -> bool:
    return base_language(lang) in SNOWBALL


@lru_cache(maxsize=None)
def _stemmer(code: str):
    return snowballstemmer.stemmer(SNOWBALL[code])


_lock = threading.Lock()  # a Snowball stemmer keeps the word it works on in itself: one word at a time


@lru_cache(maxsize=65536)
def stem(word: str, lang: str) -> str | None:
    """The stem of an already folded word in `lang`, or None where the language has no stemmer."""
    code = base_language(lang)
    if code not in SNOWBALL:
        return None
    with _lock:
        return _stemmer(code).stemWord(word)
