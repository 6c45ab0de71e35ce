"""Training sentences → word-pair counts, the ranker's context features (stored in candidates.json.gz).

For every training-split source sentence, count (word before, word) and (word, word after)
for words an emoji can stand for; the runtime looks up (word before the emoji, candidate)
and (candidate, word after). Chinese and Japanese use the neighbouring character, because
the runtime does not segment words. Only the train split is counted, and training.explain.train_ranker
takes each training message's own sentence back out of the counts it sees (leave-one-out).

    python -m training.explain.pairs --examples build/explain/examples.jsonl --table models/emoji-explain/candidates.json.gz
"""
from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter, defaultdict

from assistant.core.explain import neighbours
from assistant.core.text import fold
from training.lib.defaults import EXPLAIN_EXAMPLES, EXPLAIN_TABLE

from .words import words_of


def counted_words(table: dict) -> dict[str, set[str]]:
    """Per language, the words whose neighbours are counted: the candidate table's word list
    (`zipf`) and the whole words of its part-word puns."""
    wanted = {lang: {fold(w) for w in table["zipf"].get(lang, {})} for lang in table["languages"]}
    for lang in table["languages"]:
        wanted[lang] |= {fold(w) for rows in table["partword"].get(lang, {}).values() for _, w in rows}
    return wanted


def sentence_pairs(sentence: str, lang: str, wanted: set[str]) -> Counter:
    """(word before, word) and (word, word after) pairs of one sentence, keyed "left\tright",
    for the words in `wanted`."""
    pairs: Counter = Counter()
    for start, end, word in words_of(sentence, lang):
        w = fold(word)
        if w not in wanted:
            continue
        left, right = neighbours(sentence, start, end)
        if left:
            pairs[f"{left}\t{w}"] += 1
        if right:
            pairs[f"{w}\t{right}"] += 1
    return pairs


def count_pairs(examples: str, wanted: dict[str, set[str]], min_count: int = 1) -> dict[str, dict[str, int]]:
    pairs: dict[str, Counter] = defaultdict(Counter)
    seen = set()
    with open(examples, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            sentence, lang = row["source_text"], row["lang"]
            if row["split"] != "train" or (lang, sentence) in seen:
                continue
            seen.add((lang, sentence))
            pairs[lang].update(sentence_pairs(sentence, lang, wanted.get(lang, set())))
    return {lang: {k: v for k, v in c.items() if v >= min_count} for lang, c in pairs.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", default=str(EXPLAIN_EXAMPLES))
    parser.add_argument("--table", default=str(EXPLAIN_TABLE))
    parser.add_argument("--min-count", type=int, default=1)
    args = parser.parse_args(argv)
    with gzip.open(args.table, "rt", encoding="utf-8") as f:
        table = json.load(f)
    table["context"] = count_pairs(args.examples, counted_words(table), args.min_count)
    with gzip.open(args.table, "wt", encoding="utf-8", compresslevel=9) as f:
        json.dump(table, f, ensure_ascii=False, separators=(",", ":"))
    print({lang: len(c) for lang, c in table["context"].items()})


if __name__ == "__main__":
    main()
