"""Text collections → ritual phrases: the word a set phrase needs where an emoji stands for it
("Frohe 🎄" → Weihnachten, "Buenas 🌙" → noches, "Доброй 🌙" → ночи), stored in the candidate
table as `phrase` rows and offered by the runtime when the neighbouring word is the phrase's
other word.

Two words written side by side in the collections
(subtitles, comments, tweets, quotes) form a phrase for an emoji when
- the second (or first) word is one of the emoji's localized names or keywords (CLDR), or
  that word with another ending ("noches" for noche, "ночи" for ночь: a shared stem of at
  least 3 letters and three quarters of the shorter word, as the lexicon matches inflections);
- the word names few emojis (at most MAX_EMOJIS: "Weihnachten", not "Kind") and both words
  are content words: no stop word of the language ("la", "der"), at least 3 letters;
- the pair was seen at least --min-count times and far more often than chance: pointwise
  mutual information of at least --min-pmi (log2; 3 = eight times chance).
Greetings and wishes are rare in these collections, so the ritual phrases of rituals.py
(listed by hand) come first in each emoji's rows.

    python -m training.explain.phrases --lang de --table models/emoji-explain/candidates.json.gz \
        build/corpora/de.txt ../shared/data/xed/projections/de-projections.tsv
"""
from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from assistant.core.lexicon import Lexicon
from assistant.core.text import fold, same_stem

from .corpora import documents, files_under
from .rituals import ritual_rows
from .words import UNSPACED_LANGS, words_of

MIN_STEM = 3  # letters an inflected form shares with the name or keyword ...
STEM_SHARE = 0.75  # ... and at least this share of the shorter of the two
MAX_EXTRA = 3  # letters either may have beyond the shared stem
MAX_EMOJIS = 3  # a term naming more emojis says too little about which one a phrase wants


@dataclass
class PhraseConfig:
    min_count: int = 3  # times the pair was seen
    min_pmi: float = 3.0  # log2 of (pair frequency / the two words' frequencies multiplied)
    per_emoji: int = 20  # phrases kept per emoji, most frequent first


def forms_of(word: str, terms: set[str], lang: str) -> str | None:
    """The term `word` is a form of (itself, or with another ending), or None; the first in
    alphabetical order when several are, so that a rebuild gives the same table every time."""
    if word in terms:
        return word
    if lang in UNSPACED_LANGS or len(word) < MIN_STEM:
        return None
    return next((t for t in sorted(terms) if same_stem(word, t, min_prefix=MIN_STEM, max_extra=MAX_EXTRA,
                                               min_share=STEM_SHARE)), None)


def count_pairs(paths: list[Path], lang: str) -> tuple[Counter, Counter, Counter]:
    """(pair counts, counts of each word as a left neighbour, as a right neighbour) over every
    document of every file, short lines included ("Buenas noches.")."""
    pairs, as_left, as_right = Counter(), Counter(), Counter()
    for path in files_under(paths):
        for document in documents(path):
            words = [fold(w) for _, _, w in words_of(document, lang)]
            for a, b in zip(words, words[1:]):
                pairs[(a, b)] += 1
                as_left[a] += 1
                as_right[b] += 1
    return pairs, as_left, as_right


def phrases(pairs: Counter, as_left: Counter, as_right: Counter, literal: dict[str, list[str]],
            stop_words: frozenset[str], lang: str, cfg: PhraseConfig) -> dict[str, list[list]]:
    """emoji → [[neighbour, word, "before"|"after", count]], the neighbour being before or after the emoji."""
    import math

    by_term: dict[str, set[str]] = defaultdict(set)  # single-word term → emojis
    for emoji, terms in literal.items():
        for term in terms:
            if term and " " not in term.strip():
                by_term[fold(term)].add(emoji)
    short = 1 if lang in UNSPACED_LANGS else 3
    by_term = {t: e for t, e in by_term.items() if len(e) <= MAX_EMOJIS and t not in stop_words and len(t) >= short}
    terms = set(by_term)
    total_pairs = sum(pairs.values()) or 1
    first_letters: dict[str, set[str]] = defaultdict(set)
    for term in terms:
        first_letters[term[:MIN_STEM]].add(term)
    out: dict[str, list[list]] = defaultdict(list)
    for (a, b), n in pairs.items():
        if n < cfg.min_count:
            continue
        pmi = math.log2(n * total_pairs / (as_left[a] * as_right[b]))
        if pmi < cfg.min_pmi:
            continue
        for neighbour, word in ((a, b), (b, a)):
            side = "before" if neighbour == a else "after"
            if neighbour in stop_words or len(neighbour) < short or word in stop_words:
                continue
            candidates = first_letters.get(word[:MIN_STEM], set()) | ({word} if word in terms else set())
            term = forms_of(word, candidates, lang)
            for emoji in by_term.get(term, ()) if term else ():
                out[emoji].append([neighbour, word, side, n])
    return {e: sorted(rows, key=lambda r: -r[3])[: cfg.per_emoji] for e, rows in out.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, help="text files or folders (as training.explain.corpora reads)")
    parser.add_argument("--lang", required=True)
    parser.add_argument("--table", required=True, type=Path, help="candidates.json.gz to add the phrases to")
    parser.add_argument("--min-count", type=int, default=PhraseConfig.min_count)
    parser.add_argument("--min-pmi", type=float, default=PhraseConfig.min_pmi)
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        parser.error(f"no such file or folder: {', '.join(missing)}")
    with gzip.open(args.table, "rt", encoding="utf-8") as f:
        table = json.load(f)
    if args.lang not in table["languages"]:
        parser.error(f"the table has no language {args.lang!r}; it has {', '.join(table['languages'])}")
    cfg = PhraseConfig(min_count=args.min_count, min_pmi=args.min_pmi)
    lexicon = Lexicon.load()
    stop_words = lexicon.stop_words(args.lang)
    found = phrases(*count_pairs(args.paths, args.lang), table["literal"][args.lang], stop_words, args.lang, cfg)
    for emoji, rows in ritual_rows(args.lang).items():  # the listed greetings first: they are what the day's messages say
        listed = {(fold(row[0]), fold(row[1]), row[2]) for row in rows}
        counted = [r for r in found.get(emoji, []) if (fold(r[0]), fold(r[1]), r[2]) not in listed]
        found[emoji] = rows + counted
    table.setdefault("phrase", {})[args.lang] = found
    with gzip.open(args.table, "wt", encoding="utf-8", compresslevel=9) as f:
        json.dump(table, f, ensure_ascii=False, separators=(",", ":"))
    rows = sorted((r for rs in found.values() for r in rs), key=lambda r: -r[3])
    print(f"{args.lang}: {sum(map(len, found.values()))} phrases for {len(found)} emojis → {args.table}; "
          f"commonest: {', '.join(f'{r[0]} {r[1]}' if r[2] == 'before' else f'{r[1]} {r[0]}' for r in rows[:12])}")


if __name__ == "__main__":
    main()
