"""Words → pronunciation keys, from real tools: espeak-ng (IPA), pypinyin (Chinese), pykakasi (Japanese).

A key is a plain string compared with Levenshtein similarity (IER-SMCEM compares
pronunciations the same way, threshold 0.7). Stress and length marks are dropped, so
"bˈiː" (bee) and "biː" (be) give the same key "bi".
"""
from __future__ import annotations

import shutil
import subprocess
import unicodedata

ESPEAK_VOICES = {"en": "en-us", "es": "es", "de": "de", "fr": "fr-fr", "ru": "ru", "it": "it", "pt": "pt"}
_DROP = set("ˈˌːˑ̆‿.-' ")  # stress, length, syllable and word breaks: not part of the sound


def _clean_ipa(ipa: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", ipa) if ch not in _DROP and not unicodedata.combining(ch))


def _espeak(words: list[str], voice: str) -> list[str]:
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("expected the espeak-ng program on PATH, found none; install it "
                           "(apt-get install espeak-ng, brew install espeak-ng)")
    items = [w.replace(".", " ").replace("\n", " ").strip() or "x" for w in words]
    out: list[str] = []
    for start in range(0, len(items), 2000):
        out += _espeak_batch(items[start:start + 2000], voice)
    return [_clean_ipa(line) for line in out]


def _espeak_batch(items: list[str], voice: str) -> list[str]:
    # One item per line, each ended by "." so espeak-ng ends a clause and prints one line per item.
    out = subprocess.run(["espeak-ng", "-q", "--ipa", "-v", voice], input="".join(f"{w}.\n" for w in items),
                         capture_output=True, text=True, check=True).stdout.splitlines()
    out = [line for line in out if line.strip()]
    if len(out) == len(items):
        return out
    if len(items) == 1:  # an item espeak-ng reads as nothing or as two clauses
        return [" ".join(out)]
    half = len(items) // 2  # rare: find the odd item by halving
    return _espeak_batch(items[:half], voice) + _espeak_batch(items[half:], voice)


def _pinyin(words: list[str]) -> list[str]:
    from pypinyin import lazy_pinyin  # pip install pypinyin

    return [" ".join(lazy_pinyin(w)) for w in words]  # syllables kept apart: rebus parts are syllables


def _romaji(words: list[str]) -> list[str]:
    import pykakasi  # pip install pykakasi

    kks = pykakasi.kakasi()
    return ["".join(part["hepburn"] for part in kks.convert(w)) for w in words]


def pronounce(words: list[str], lang: str) -> list[str]:
    """One pronunciation key per word, in order.

    >>> pronounce(["bee", "be"], "en")
    ['bi', 'bi']
    >>> pronounce(["鸭梨", "压力"], "zh")
    ['ya li', 'ya li']
    """
    if not words:
        return []
    if lang == "zh":
        return _pinyin(words)
    if lang == "ja":
        return _romaji(words)
    if lang in ESPEAK_VOICES:
        return _espeak(words, ESPEAK_VOICES[lang])
    raise ValueError(f"expected a language with a pronunciation tool ({sorted(ESPEAK_VOICES) + ['ja', 'zh']}), "
                     f"found {lang!r}")


def similarity(a: str, b: str) -> float:
    """Normalised Levenshtein similarity in [0, 1] (1 = same key)."""
    from rapidfuzz.distance import Levenshtein  # pip install rapidfuzz

    return Levenshtein.normalized_similarity(a.replace(" ", ""), b.replace(" ", ""))
