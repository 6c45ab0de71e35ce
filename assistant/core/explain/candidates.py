"""The shipped candidate table (candidates.json.gz) → what one emoji, or two side by side, may stand for.

The table is built at training time (training.explain.build_candidates) per language: localized
names and keywords (literal), words that sound like them (homophone), part-word puns
("🐝lieve"), the same puns written apart ("🐝 leaf" → believe), two-emoji sound rebuses
("🦆🍐" → 压力) and curated community meanings (slang), plus word frequencies and word-pair
counts. Its languages are base languages ("zh"): callers look them up with
assistant.core.text.base_language.
"""
from __future__ import annotations

import gzip
import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import ModelError
from ..text import fold, is_cjk
from .repair import Repairer, glued_forms

TABLE_FORMAT = 1
KINDS = ("literal", "keyword", "phrase", "homophone", "partword", "repaired", "split", "rebus", "slang", "decorative")
# candidate kind → the reading kind a caller sees (assistant.core.explain.reading.READING_KINDS)
PUBLIC_KIND = {"literal": "literal", "keyword": "literal", "phrase": "literal", "homophone": "homophone",
               "partword": "homophone", "repaired": "homophone", "split": "homophone", "rebus": "rebus",
               "slang": "slang", "decorative": "decorative"}


@dataclass
class Candidate:
    text: str  # what the emoji stands for
    kind: str  # one of KINDS
    similarity: float  # pronunciation similarity (1.0 for literal and slang)
    rank: int  # position within its own list (0 = first)
    span: int = 1  # emojis it covers (2 for rebus and two-emoji slang)
    in_name: bool = False  # a keyword that is part of the emoji's name ("rain" in "cloud with rain")
    swallows: str = ""  # "after"/"before": the reading also replaces that neighbouring word ("🐝 leaf" → believe);
    # "glued": it replaces the letters glued to the emoji too ("🥚cellent" → excellent)


class CandidateTable:
    """The shipped candidate lists, per language."""

    def __init__(self, data: dict, *, source: str = "<dict>"):
        if data.get("format") != TABLE_FORMAT:
            raise ModelError(f"{source}: expected candidate table format {TABLE_FORMAT}, found "
                             f"{data.get('format')!r}; rebuild it with `python -m training.explain.build_candidates`")
        self.languages = list(data["languages"])
        self.data = data  # the table as loaded (training reads it whole)
        self._named: dict[str, Counter] = {}  # lang → term → emojis it names, built on first use
        self._repairers: dict[str, Repairer | None] = {}  # lang → its repairer, built on the first glued emoji

    @classmethod
    def load(cls, path: Path) -> CandidateTable:
        try:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                return cls(json.load(f), source=str(path))
        except (OSError, json.JSONDecodeError) as err:
            raise ModelError(f"{path} is not a gzip JSON candidate table ({err}); reinstall or rebuild the "
                             "explain model") from err

    def _get(self, table: str, lang: str, key: str) -> list:
        return self.data.get(table, {}).get(lang, {}).get(key, [])

    def pair_count(self, left: str, right: str, lang: str) -> int:
        """How often `left right` was seen in the training sentences."""
        return self.data.get("context", {}).get(lang, {}).get(f"{left}\t{right}", 0)

    def context(self, left: str, right: str, lang: str) -> float:
        """log(1 + pair_count), 0 without both words."""
        return math.log1p(self.pair_count(left, right, lang)) if left and right else 0.0

    def zipf(self, word: str, lang: str) -> float:
        return float(self.data.get("zipf", {}).get(lang, {}).get(word, 0.0))

    def specificity(self, term: str, lang: str) -> float:
        """1 / how many emojis have `term` as their name or a keyword (0 if none): "Hund" names
        three emojis, "Tier" fifty, so 🐶 more likely stands for Hund than for Tier."""
        if lang not in self._named:
            named: Counter = Counter()
            for terms in self.data.get("literal", {}).get(lang, {}).values():
                named.update({fold(t) for t in terms})
            self._named[lang] = named
        count = self._named[lang].get(fold(term), 0)
        return 1.0 / count if count else 0.0

    def repairer(self, lang: str) -> Repairer | None:
        """The language's glued-pun repairer over its word list, built on first use (~0.8 s)."""
        if lang not in self._repairers:
            words = self.data.get("vocab", {}).get(lang) or self.data.get("zipf", {}).get(lang, {})
            self._repairers[lang] = Repairer(dict(words)) if words else None
        return self._repairers[lang]

    def repairs(self, lang: str, forms: list[str]) -> list[tuple[str, float]]:
        """The real words glued forms stand for (repair.py), best first, each word once."""
        repairer = self.repairer(lang)
        found: dict[str, float] = {}
        for form in forms if repairer else ():
            for word, similarity in repairer.repair(form):
                found[word] = max(found.get(word, 0.0), similarity)
        return sorted(found.items(), key=lambda item: (-item[1], -self.zipf(item[0], lang)))

    def single(self, emoji: str, lang: str, left: str, right: str, literal: list[str],
               apart: tuple[str, str] = ("", ""), near: tuple[str, str] = ("", "")) -> list[Candidate]:
        """Candidates for one emoji; `literal` = localized name then keywords (from the lexicon);
        `left`/`right` = the letters glued to it; `apart` = the words written one space before
        and after it, folded (for split puns); `near` = the words before and after it, folded
        (for ritual phrases: "Buenas 🌙" → noches)."""
        name = fold(literal[0] if literal else "")
        out = [Candidate(t, "literal" if i == 0 else "keyword", 1.0, i, in_name=i > 0 and fold(t) in name)
               for i, t in enumerate(literal[:12]) if t]
        terms = {fold(t) for t in literal}  # a "homophone" that is the name itself is a literal reading
        sounds = [(w, s) for w, s in self._get("homophone", lang, emoji) if fold(w) not in terms]
        out += [Candidate(w, "homophone", s, i) for i, (w, s) in enumerate(sounds)]
        out += [Candidate(m, "slang", 1.0, i) for i, m in enumerate(self._get("slang", lang, emoji))]
        if left or right:  # part-word pun: the emoji is one piece of a word whose other piece is glued to it
            seen, left, right = set(), fold(left), fold(right)
            for fragment, word in self._get("partword", lang, emoji):
                if completes(word, fragment, left, right) and fragment not in seen:
                    seen.add(fragment)
                    out.append(Candidate(fragment, "partword", 1.0, len(seen) - 1))
        if (left or right) and not is_cjk((left or right)[0]):  # a glued pun misspelled once the sound is put back
            sounds_like = [t for t in literal[:6] if t] + [w for w, _ in sounds[:6]]
            known = {fold(c.text) for c in out}
            repaired = [(w, s) for w, s in self.repairs(lang, glued_forms(sounds_like, left, right)) if w not in known]
            out += [Candidate(w, "repaired", s, i, swallows="glued") for i, (w, s) in enumerate(repaired)]
        if left and is_cjk(left[-1]):  # Chinese and Japanese: the glued character is the neighbour ("🌙安" → 晚)
            near = (fold(left[-1]), near[1])
        if right and is_cjk(right[0]):
            near = (near[0], fold(right[0]))
        if any(near):  # the word a ritual phrase needs: "Frohe 🎄" → Weihnachten, "Buenas 🌙" → noches
            seen = set()
            for neighbour, word, side, _ in self._get("phrase", lang, emoji):
                if neighbour == (near[0] if side == "before" else near[1]) and word not in seen:
                    seen.add(word)
                    out.append(Candidate(word, "phrase", 1.0, len(seen) - 1))
        if any(apart):  # the same pun written apart: "🐝 leaf" → believe, "may 🐝" → maybe
            seen = set()
            for neighbour, word, side, similarity in self._get("split", lang, emoji):
                if neighbour == (apart[1] if side == "after" else apart[0]) and word not in seen:
                    seen.add(word)
                    out.append(Candidate(word, "split", similarity, len(seen) - 1, swallows=side))
        out.append(Candidate("", "decorative", 0.0, 0))
        return out

    def pair(self, first: str, second: str, lang: str) -> list[Candidate]:
        """Candidates that two adjacent emojis make together: rebus words and two-emoji slang."""
        key = first + second
        out = [Candidate(w, "rebus", 1.0, i, span=2) for i, w in enumerate(self._get("rebus", lang, key))]
        out += [Candidate(m, "slang", 1.0, i, span=2) for i, m in enumerate(self._get("slang", lang, key))]
        return out


def completes(word: str, fragment: str, left: str, right: str) -> bool:
    """Whether the letters glued to an emoji read as `fragment` complete `word`: exactly in
    spaced scripts ("🐝lieve"), as the start or end of the glued run in Chinese and Japanese,
    whose words run on into the next ones ("我🦆力好大": 压 + 力好大 starts 压力)."""
    if len(word) <= len(fragment):
        return False
    if right and word.startswith(fragment):
        rest = word[len(fragment):]
        if right == rest or (is_cjk(right[0]) and right.startswith(rest)):
            return True
    if left and word.endswith(fragment):
        rest = word[: -len(fragment)]
        return left == rest or (is_cjk(left[-1]) and left.endswith(rest))
    return False


@lru_cache(maxsize=4)
def load_table(path: str) -> CandidateTable:
    """CandidateTable.load, once per path (every explain model folder shares its table's parse)."""
    return CandidateTable.load(Path(path))
