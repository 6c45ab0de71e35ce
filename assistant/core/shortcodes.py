"""Shortcodes: "pizza" or "пицца" → 🍕, from the lexicon's localized names and keywords.

A term matches an emoji whose name is the term (best), whose keywords contain it, or whose
name starts with it. English also knows the usual :snake_case: aliases (GitHub, Slack).
Surfaces get an index from `Assistant.shortcodes(languages)`; how a shortcode is typed
(":pizza:" and its trigger) is the desktop helper's business.
"""
from __future__ import annotations

import unicodedata

import emoji as emoji_data

from .emojis import canonical, is_emoji
from .lexicon import Lexicon
from .sentiment import occurrences


def fold_term(term: str) -> str:
    """A shortcode term as the index keys it: NFKC, casefolded, `_` and `-` as spaces, spaces collapsed."""
    term = unicodedata.normalize("NFKC", term).casefold().replace("_", " ").replace("-", " ")
    return " ".join(term.split())


class ShortcodeIndex:
    """Folded term → emojis, best first, over the given languages (English always included).

    Building takes about 60 ms per language, so the helper indexes the user's languages
    only (its config, else English and the system locale's language).
    """

    def __init__(self, lexicon: Lexicon, languages: list[str] | None = None):
        self._ranked: dict[str, list[tuple]] = {}  # term → [(rank, -popularity, name length, emoji)]
        codes = [lexicon.language(code) for code in [*(languages or []), "en"]]
        for code in dict.fromkeys(c for c in codes if c):
            for emoji in lexicon.emojis:
                name = lexicon.name(emoji, code)
                self._add(name, 0, name, emoji)
                for keyword in lexicon.keywords(emoji, code):
                    self._add(keyword, 1, name, emoji)
        for emoji, data in emoji_data.EMOJI_DATA.items():
            for alias in [data.get("en", "")] + data.get("alias", []):
                self._add(alias.strip(":"), 0, alias, emoji)
        self._terms = sorted(self._ranked)

    def _add(self, term: str, rank: int, name: str, emoji: str) -> None:
        if term and is_emoji(emoji):
            key = fold_term(term)
            if rank == 1 and key in fold_term(name):  # "сердце" in "алое сердце" (❤️) beats a bare keyword (🩺)
                rank = 0.5
            emoji = canonical(emoji)  # ties go to the more popular emoji, then the shorter name
            self._ranked.setdefault(key, []).append((rank, -occurrences(emoji), len(name), emoji))

    def lookup(self, term: str) -> str | None:
        """The best emoji for `term`, or None.

        >>> ShortcodeIndex(Lexicon.load(), ["ru"]).lookup("пицца")
        '🍕'
        """
        key = fold_term(term)
        if not key:
            return None
        hits = self._ranked.get(key)
        if not hits:  # a name that starts with the term: ":birthd" → 🎂
            import bisect

            i = bisect.bisect_left(self._terms, key)
            prefixed = []
            while i < len(self._terms) and self._terms[i].startswith(key) and len(prefixed) < 50:
                prefixed += [(3, *rest) for r, *rest in self._ranked[self._terms[i]] if r == 0]
                i += 1
            hits = prefixed
        return min(hits)[-1] if hits else None

