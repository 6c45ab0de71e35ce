"""Glued puns put back into real words: "🥚cellent" is egg + "cellent" = "eggcellent", which no
dictionary has, so the reading is the nearest real word, "excellent"; "🐄ntry" reads "country".

The dictionary is the explain model's word list for the language (its candidate table's
vocabulary, the most frequent words by wordfreq), searched with SymSpell (symspellpy) within
MAX_EDITS edits. A glued form that is already a word is never changed into another one
("un🐻able" is "unbearable" as written). Chinese and Japanese are left alone: their glued
characters are matched as part-word puns (candidates.completes).
"""
from __future__ import annotations

from ..text import all_cjk, fold

MAX_EDITS = 2  # SymSpell's search radius
EDIT_SHARE = 0.25  # ... and at most this share of the glued form's letters changed ("cowntry" → 1 of 7)
MIN_LENGTH = 5  # shorter glued forms are too easily any word
MAX_REPAIRS = 3  # readings offered per glued form, nearest and most frequent first


class Repairer:
    """Nearest real words of one language's word list."""

    def __init__(self, words: dict[str, float]):
        from symspellpy import SymSpell  # small, pure Python; only needed once a glued emoji is read

        self.words = words
        self._index = SymSpell(max_dictionary_edit_distance=MAX_EDITS, prefix_length=5)
        for word, zipf in words.items():
            self._index.create_dictionary_entry(word, max(1, int(10 ** zipf)))

    def repair(self, form: str) -> list[tuple[str, float]]:
        """(word, similarity) for a glued form: itself with similarity 1.0 if it is a word, else
        the nearest words within MAX_EDITS and EDIT_SHARE, similarity 1 - edits / length."""
        from symspellpy import Verbosity

        form = fold(form)
        if len(form) < MIN_LENGTH or all_cjk(form):
            return []
        if form in self.words:
            return [(form, 1.0)]
        limit = min(MAX_EDITS, int(EDIT_SHARE * len(form)))
        if limit < 1:
            return []
        found = self._index.lookup(form, Verbosity.ALL, max_edit_distance=limit)
        found.sort(key=lambda s: (s.distance, -s.count))
        return [(s.term, round(1 - s.distance / len(form), 3)) for s in found[:MAX_REPAIRS]]


def glued_forms(terms: list[str], left: str, right: str) -> list[str]:
    """What the glued letters and each single-word term of the emoji spell together."""
    left, right = fold(left), fold(right)
    return list(dict.fromkeys(left + fold(t) + right for t in terms if t and " " not in t.strip()))
