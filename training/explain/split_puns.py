"""Part-word puns written apart → the candidate table's "split" lists ("I 🐝 leaf in you" → believe).

A part-word pun glues the emoji to the rest of the word ("🐝lieve"). People also write the
rest as a word of its own that sounds like it ("🐝 leaf", "may 🐝"). For every part-word
entry of the table (candidates.fragments: 🐝 is the "be" of "believe") this finds the common
words that sound like the rest ("lieve"), and stores, per emoji, rows
[neighbour, word, side, similarity]: side "after" when the neighbour follows the emoji,
"before" when it comes first. Pronunciations are compared with voicing set aside: a pun
rhymes "leaf" with "lieve", and German and Russian devoice final consonants anyway.
By default the rest must sound the same (similarity 1), and the neighbour must be a word of
at least three letters rarer than Zipf 6: with any word at similarity 0.7, "😲 please" read
"noble" and "🪢 me" "time", replacing words that were really there.
Chinese and Japanese are left out: written without spaces, their puns are the glued ones.

    python -m training.explain.split_puns --table models/emoji-explain/candidates.json.gz
"""
from __future__ import annotations

import argparse
import gzip
import json
from collections import defaultdict

import numpy as np

from assistant.core.text import fold
from training.lib.defaults import EXPLAIN_TABLE

from .pronounce import pronounce
from .words import UNSPACED_LANGS, vocabulary

# voiced obstruent → its voiceless partner, and near vowels merged, in espeak-ng IPA keys
_VOICING = str.maketrans({"b": "p", "d": "t", "g": "k", "ɡ": "k", "v": "f", "z": "s", "ʒ": "ʃ", "ð": "θ",
                          "ᵻ": "i", "ɪ": "i", "ʊ": "u"})
MIN_REST = 2  # letters: a one-letter rest ("be" + "t") is no pun
MIN_NEIGHBOUR = 3  # letters: "is", "en", "ed" read as word endings everywhere
# the candidate table's defaults (candidates.CandidateConfig)
PER_WORD = 3  # sound-alike neighbours kept per part-word word
PER_EMOJI = 60  # rows kept per emoji, most frequent words first
SIMILARITY = 1.0  # least pronunciation similarity of the neighbour to the rest of the word, voicing aside
MAX_ZIPF = 6.0  # neighbours at least this frequent (wordfreq Zipf) are not used: "you", "like"


def devoiced(key: str) -> str:
    """A pronunciation key with voicing set aside: "liv" (lieve) and "lif" (leaf) both → "lif"."""
    return key.replace(" ", "").translate(_VOICING)


def rests(partword: dict) -> list[tuple[str, str, str, str]]:
    """(emoji, word, rest, side) per part-word entry: the piece of `word` the emoji does not
    sound, and on which side of the emoji it is written."""
    out = []
    for emoji, rows in partword.items():
        for fragment, word in rows:
            if word.startswith(fragment):
                out.append((emoji, word, word[len(fragment):], "after"))
            elif word.endswith(fragment):
                out.append((emoji, word, word[: -len(fragment)], "before"))
    return [row for row in out if len(row[2]) >= MIN_REST]


def neighbour_words(vocab: list[str], lang: str, max_zipf: float) -> list[str]:
    """The words a split pun may be written with: at least MIN_NEIGHBOUR letters, and rarer
    than `max_zipf` (wordfreq): "you" and "like" stand beside emojis all the time."""
    from wordfreq import zipf_frequency

    return [w for w in vocab if len(w) >= MIN_NEIGHBOUR and zipf_frequency(w, lang) < max_zipf]


def split_puns(partword: dict, neighbours: list[str], lang: str, *, min_similarity: float, per_word: int,
               per_emoji: int) -> dict[str, list]:
    """emoji → [[neighbour, word, side, similarity]]: up to `per_word` neighbours (most alike,
    then most frequent) for each of the emoji's part-word words, `per_emoji` rows in all
    (most frequent words first, the part-word lists' order)."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    if lang in UNSPACED_LANGS or not partword or not neighbours:
        return {}
    entries = rests(partword)
    pieces = sorted({rest for _, _, rest, _ in entries})
    piece_keys = [devoiced(k) for k in pronounce(pieces, lang)]
    neighbour_keys = [devoiced(k) for k in pronounce(neighbours, lang)]
    sims = process.cdist(piece_keys, neighbour_keys, scorer=Levenshtein.normalized_similarity,
                         score_cutoff=min_similarity, dtype=np.float32, workers=2)
    alike: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row, col in zip(*np.nonzero(sims)):
        alike[pieces[row]].append((neighbours[col], round(float(sims[row, col]), 3)))
    rank = {w: i for i, w in enumerate(neighbours)}  # most frequent first
    out: dict[str, list] = defaultdict(list)
    for emoji, word, rest, side in entries:
        found = [(n, s) for n, s in alike.get(rest, []) if fold(n) != fold(word)]
        found.sort(key=lambda ns: (-ns[1], rank[ns[0]]))
        room = per_emoji - len(out[emoji])
        out[emoji] += [[n, word, side, s] for n, s in found[: min(per_word, room)]]
    return {e: rows for e, rows in out.items() if rows}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", default=str(EXPLAIN_TABLE))
    parser.add_argument("--per-word", type=int, default=PER_WORD)
    parser.add_argument("--per-emoji", type=int, default=PER_EMOJI)
    parser.add_argument("--similarity", type=float, default=SIMILARITY,
                        help="least pronunciation similarity of the neighbour to the rest of the word, voicing aside")
    parser.add_argument("--max-zipf", type=float, default=MAX_ZIPF,
                        help="neighbours at least this frequent (wordfreq Zipf) are not used")
    args = parser.parse_args(argv)
    with gzip.open(args.table, "rt", encoding="utf-8") as f:
        table = json.load(f)
    cfg = table["config"]
    table["split"] = {}
    for lang in table["languages"]:
        neighbours = neighbour_words(vocabulary(lang, cfg["vocab_size"])[: cfg["fragment_vocab"]], lang, args.max_zipf)
        table["split"][lang] = split_puns(table["partword"].get(lang, {}), neighbours, lang,
                                          min_similarity=args.similarity, per_word=args.per_word,
                                          per_emoji=args.per_emoji)
        print(f"{lang}: {sum(map(len, table['split'][lang].values()))} split puns for "
              f"{len(table['split'][lang])} emojis", flush=True)
    table["config"].update(split_per_word=args.per_word, max_split=args.per_emoji, split_similarity=args.similarity,
                           split_max_zipf=args.max_zipf)
    with gzip.open(args.table, "wt", encoding="utf-8", compresslevel=9) as f:
        json.dump(table, f, ensure_ascii=False, separators=(",", ":"))


if __name__ == "__main__":
    main()
