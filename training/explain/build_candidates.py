"""CLDR names + word lists + pronunciations → the explain model's candidate tables (candidates.json.gz).

For every emoji and language the table lists what the emoji may stand for:
- literal: its localized name and keywords (CLDR, via assistant.core.lexicon);
- homophone: common words (wordfreq) whose pronunciation is Levenshtein-similar (≥ 0.7, as
  IER-SMCEM) to the name or a keyword ("🐝" → "be"), plus part-word puns ("🐝lieve": the
  fragment "be" of "believe" sounds like "bee"), also written apart ("🐝 leaf", split_puns.py);
- rebus: two-emoji sequences whose sounds together make a word ("🦆🍐" → 压力 ya li);
- slang: the curated community meanings in community.py.
Pronunciation needs espeak-ng, pypinyin and pykakasi here only; the runtime reads the table.

    python -m training.explain.build_candidates --langs en es de fr ru zh --out models/emoji-explain/candidates.json.gz
"""
from __future__ import annotations

import argparse
import gzip
import json
from collections import defaultdict
from dataclasses import dataclass, asdict

import numpy as np

from assistant.core.emojis import canonical
from assistant.core.explain import TABLE_FORMAT
from assistant.core.lexicon import Lexicon
from assistant.core.text import fold, is_cjk
from training.lib.defaults import EXPLAIN_TABLE

from .community import COMMUNITY
from .pronounce import pronounce
from .split_puns import MAX_ZIPF, PER_EMOJI, PER_WORD, SIMILARITY, neighbour_words, split_puns
from .words import UNSPACED_LANGS, vocabulary, zipf


@dataclass
class CandidateConfig:
    langs: tuple[str, ...] = ("en", "es", "de", "fr", "ru", "zh")
    vocab_size: int = 30000  # wordfreq words per language searched for sound-alikes
    fragment_vocab: int = 8000  # words whose prefixes/suffixes are searched for part-word puns and rebuses
    min_similarity: float = 0.5  # Levenshtein similarity of pronunciations to the emoji's name: graded down
    # to here and weighed by the ranker with the context ("🦉 be there" → I'll, 0.67 to "owl")
    keyword_similarity: float = 0.7  # ... to one of its keywords (IER-SMCEM's threshold)
    max_homophones: int = 24  # per emoji, best first (similarity, then word frequency); two thirds for the name
    repair_vocab: int = 30000  # words per language kept for repairing glued puns (repair.py)
    max_fragments: int = 150  # part-word puns kept per emoji, most frequent words first
    max_rebus: int = 40  # rebus words kept per emoji pair
    split_per_word: int = PER_WORD  # part-word puns written apart ("🐝 leaf"): sound-alike neighbours per word
    max_split: int = PER_EMOJI  # ... and rows kept per emoji, most frequent words first
    split_similarity: float = SIMILARITY  # ... sounding like the rest of the word, voicing aside
    split_max_zipf: float = MAX_ZIPF  # ... and rarer than this (wordfreq Zipf): not "you", "like"
    max_term_words: int = 2  # names/keywords longer than this are not used as sounds

    def __post_init__(self):
        self.langs = tuple(self.langs)
        if not 0.0 < self.min_similarity <= 1.0:
            raise ValueError(f"min_similarity must be in (0, 1], got {self.min_similarity}")
        if self.vocab_size < 100 or self.fragment_vocab < 0:
            raise ValueError(f"vocab_size must be ≥ 100 and fragment_vocab ≥ 0, got {self.vocab_size}, "
                             f"{self.fragment_vocab}")


def emoji_terms(lexicon: Lexicon, lang: str, max_words: int) -> dict[str, list[tuple[str, str]]]:
    """emoji → [(term, "name"|"keyword")], the localized name first; a keyword that is a word of
    the name is named "name" too (its sound-alikes are graded as the name's)."""
    out = {}
    for emoji in lexicon.emojis:
        name = lexicon.name(emoji, lang)
        terms = [(name, "name")] if name else []
        name_words = set(fold(name).split())  # a keyword that is a word of the name counts as the name ("leaf" of 🍃)
        terms += [(k, "name" if fold(k) in name_words else "keyword") for k in lexicon.keywords(emoji, lang)
                  if k and k != name]
        out[emoji] = [(t, kind) for t, kind in terms if len(t.split()) <= max_words and not t.isdigit()]
    return out


def with_characters(terms: dict) -> dict:
    """Chinese and Japanese: every character of a name or keyword is a sound of its own for
    whole-word sound-alikes, since puns use one character of a two-character name (青蛙 frog:
    蛙 wā → 哇 "wow"; 天鹅 swan: 鹅 → 饿). Part-word puns and rebuses keep the whole terms: a single
    syllable is shared by too many emojis to build words from."""
    out = {}
    for emoji, ts in terms.items():
        chars = [(ch, kind) for t, kind in ts if len(t) >= 2 for ch in t if is_cjk(ch)]
        out[emoji] = list(dict.fromkeys(ts + chars))
    return out


def sound_keys(terms: dict, lang: str) -> dict[str, list[tuple[str, float]]]:
    """emoji → [(pronunciation key, 1.0 for the name, 0.0 for a keyword)], one per name or keyword."""
    unique = sorted({t for ts in terms.values() for t, _ in ts})
    keys = dict(zip(unique, pronounce(unique, lang)))
    out = defaultdict(list)
    for emoji, ts in terms.items():
        for term, kind in ts:
            out[emoji].append((keys[term], 1.0 if kind == "name" else 0.0))
    return {e: list(dict.fromkeys(k)) for e, k in out.items()}


def homophones(keys: dict, vocab: list[str], vocab_keys: list[str], lang: str, cfg: CandidateConfig,
               terms_of: dict | None = None) -> dict:
    terms_of = terms_of or {}
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    flat = [(emoji, key, weight) for emoji, ks in keys.items() for key, weight in ks]
    plain = [k.replace(" ", "") for k in vocab_keys]
    out = defaultdict(dict)
    step = 400
    for start in range(0, len(flat), step):
        chunk = flat[start:start + step]
        sims = process.cdist([k.replace(" ", "") for _, k, _ in chunk], plain, scorer=Levenshtein.normalized_similarity,
                             score_cutoff=cfg.min_similarity, dtype=np.float32, workers=2)
        for row, col in zip(*np.nonzero(sims)):
            emoji, _, is_name = chunk[row]
            word, score = vocab[col], float(sims[row, col])
            if score < (cfg.min_similarity if is_name else cfg.keyword_similarity):
                continue
            best = out[emoji].get(word, (0.0, 0.0))
            if (is_name, score) > (best[1], best[0]):
                out[emoji][word] = (score, is_name)
    table = {}
    for emoji, words in out.items():
        own = {fold(t) for t in terms_of.get(emoji, [])}  # the emoji's own names are literal, not homophones
        words = {w: v for w, v in words.items() if fold(w) not in own}
        # sound-alikes of the name first (however close), then of the keywords; nearest, then most frequent
        ranked = sorted(words.items(), key=lambda kv: (-kv[1][0], -zipf(kv[0], lang)))
        of_name = [kv for kv in ranked if kv[1][1]][: cfg.max_homophones * 2 // 3]
        of_keywords = [kv for kv in ranked if not kv[1][1]][: cfg.max_homophones - len(of_name)]
        table[emoji] = [[w, round(v[0], 3)] for w, v in of_name + of_keywords]
    return table


def fragments(keys: dict, vocab: list[str], lang: str, cfg: CandidateConfig) -> tuple[dict, dict]:
    """Part-word puns (emoji ~ a prefix/suffix of a word) and two-emoji rebuses (two parts of a word)."""
    by_key = defaultdict(set)
    for emoji, ks in keys.items():
        for key, _ in ks:
            by_key[key].add(emoji)
    words = vocab[: cfg.fragment_vocab]
    if lang == "zh":  # syllables are the parts: 压力 = ya + li
        parts = {w: [(w[:i], w[i:]) for i in range(1, len(w))] for w in words if len(w) >= 2}
        piece_key = lambda piece: " ".join(pronounce([piece], "zh"))  # noqa: E731 (pypinyin is fast)
    else:
        parts = {w: [(w[:i], w[i:]) for i in range(2, len(w) - 1)] for w in words if len(w) >= 4}
        pieces = sorted({p for ps in parts.values() for pair in ps for p in pair})
        piece_keys = dict(zip(pieces, pronounce(pieces, lang)))
        piece_key = piece_keys.__getitem__
    partword, rebus = defaultdict(list), defaultdict(list)
    for word, splits in parts.items():
        for left, right in splits:
            left_emojis, right_emojis = by_key.get(piece_key(left), ()), by_key.get(piece_key(right), ())
            for emoji in left_emojis:
                partword[emoji].append([left, word])
            for emoji in right_emojis:
                partword[emoji].append([right, word])
            if len(left_emojis) * len(right_emojis) > 16:  # a sound half the emojis share says nothing
                continue
            for a in left_emojis:
                for b in right_emojis:
                    rebus[a + b].append(word)
    partword = {e: v[: cfg.max_fragments] for e, v in partword.items()}  # vocab order = most frequent first
    rebus = {k: list(dict.fromkeys(v))[: cfg.max_rebus] for k, v in rebus.items()}
    return partword, rebus


def build(cfg: CandidateConfig, lexicon: Lexicon) -> dict:
    data = {"format": TABLE_FORMAT, "config": asdict(cfg), "languages": list(cfg.langs), "literal": {}, "homophone": {},
            "partword": {}, "split": {}, "rebus": {}, "slang": {}, "zipf": {}, "vocab": {}}
    for lang in cfg.langs:
        terms = emoji_terms(lexicon, lang, cfg.max_term_words)
        keys = sound_keys(terms, lang)
        word_keys = sound_keys(with_characters(terms), lang) if lang in UNSPACED_LANGS else keys
        vocab = vocabulary(lang, cfg.vocab_size)
        vocab_keys = pronounce(vocab, lang)
        data["literal"][lang] = {e: [t for t, kind in ts] for e, ts in terms.items() if ts}
        data["homophone"][lang] = homophones(word_keys, vocab, vocab_keys, lang, cfg,
                                             {e: [t for t, _ in ts] for e, ts in terms.items()})
        data["partword"][lang], data["rebus"][lang] = fragments(keys, vocab, lang, cfg)
        data["split"][lang] = split_puns(data["partword"][lang],
                                         neighbour_words(vocab[: cfg.fragment_vocab], lang, cfg.split_max_zipf),
                                         lang, min_similarity=cfg.split_similarity, per_word=cfg.split_per_word,
                                         per_emoji=cfg.max_split)
        data["slang"][lang] = {canonical_seq(seq): meanings.get(lang, []) or meanings.get("en", [])
                               for seq, meanings in COMMUNITY.items()}
        needed = {w for table in ("homophone",) for rows in data[table][lang].values() for w, _ in rows}
        needed |= {w for rows in data["partword"][lang].values() for _, w in rows}
        needed |= {w for rows in data["rebus"][lang].values() for w in rows}
        needed |= {t for ts in data["literal"][lang].values() for t in ts}
        needed |= {m for ms in data["slang"][lang].values() for m in ms}
        data["zipf"][lang] = {w: z for w in sorted(needed) if (z := zipf(w, lang)) > 0}
        if lang not in ("zh", "ja"):  # glued puns in spaced scripts are repaired against these words
            data["vocab"][lang] = {w: z for w in vocab[: cfg.repair_vocab] if (z := zipf(w, lang)) > 0}
        print(f"{lang}: {len(data['homophone'][lang])} emojis with homophones, {len(data['partword'][lang])} with "
              f"part-word puns, {len(data['rebus'][lang])} rebus pairs", flush=True)
    return data


def canonical_seq(seq: str) -> str:
    from assistant.core.emojis import find_emojis

    return "".join(canonical(e) for _, _, e in find_emojis(seq)) or seq


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--langs", nargs="+", default=list(CandidateConfig.langs))
    parser.add_argument("--vocab-size", type=int, default=CandidateConfig.vocab_size)
    parser.add_argument("--fragment-vocab", type=int, default=CandidateConfig.fragment_vocab)
    parser.add_argument("--min-similarity", type=float, default=CandidateConfig.min_similarity)
    parser.add_argument("--out", default=str(EXPLAIN_TABLE))
    args = parser.parse_args(argv)
    cfg = CandidateConfig(langs=args.langs, vocab_size=args.vocab_size, fragment_vocab=args.fragment_vocab,
                          min_similarity=args.min_similarity)
    data = build(cfg, Lexicon.load())
    from pathlib import Path

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out, "wt", encoding="utf-8", compresslevel=9) as f:
        json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
    print(f"wrote {args.out} ({Path(args.out).stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
