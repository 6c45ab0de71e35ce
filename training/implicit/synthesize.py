"""Plain text → messages where emojis stand in for words, with the word each one replaced.

Four kinds of substitution, as IER-SMCEM builds its data (pronunciation similarity ≥ 0.7,
40% of the replaceable words replaced), plus decorative emojis that stand for nothing:
- homophone: a word → an emoji whose name sounds like it ("be" → 🐝), or part of a word
  ("believe" → "🐝lieve");
- rebus: a word → two emojis whose sounds make it ("压力" → "🦆🍐");
- literal: a word → the emoji whose localized name or keyword it is ("Nacht" → 🌙);
- slang: a word → the emoji the community uses for it (community.py: "dead" → 💀);
- decorative: an emoji appended to the message (the answer is "" = not a word).
Every source sentence goes to exactly one split (hash of the sentence), so no sentence is
in both train and test. Sources: any text files (one message per line) and templated frame
sentences (sentences.py) for languages without a corpus here. A source sentence that contains
an evaluation case (`--exclude`, by default the hand-written set) with its emoji read as an
acceptable answer is dropped, so neither the ranker nor the word-pair counts see a test case.

    python -m training.implicit.synthesize --text en:../shared/data/tweeteval_emoji/train_text.txt \
        --text es:../shared/data/semeval2018_emoji/es_trial.text --out build/decoder/examples.jsonl
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .sentences import templated

KINDS = ("homophone", "rebus", "literal", "slang", "decorative")
_WORD = re.compile(r"[^\W\d_]+")
DECORATIVE = ["😂", "❤️", "😍", "😊", "🙏", "😭", "✨", "💕", "😘", "👍", "🎉", "💯", "😎", "🤗", "😉"]


@dataclass
class SynthConfig:
    replace_ratio: float = 0.4  # share of replaceable words replaced (IER-SMCEM: 40%)
    decorative_rate: float = 0.3  # share of messages that also get a trailing decorative emoji
    max_sentences: int = 6000  # per language and source
    templated: int = 3000  # frame sentences per language (sentences.FRAMES) with a replaceable word in the slot
    test_share: float = 0.1  # by sentence hash
    val_share: float = 0.05
    seed: int = 13

    def __post_init__(self):
        for name in ("replace_ratio", "decorative_rate", "test_share", "val_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")
        if self.test_share + self.val_share >= 1.0:
            raise ValueError(f"test_share + val_share must be < 1, got {self.test_share + self.val_share}")


def split_of(sentence: str, cfg: SynthConfig) -> str:
    h = int(hashlib.sha1(sentence.strip().casefold().encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if h < cfg.test_share else "val" if h < cfg.test_share + cfg.val_share else "train"


def evaluation_phrases(path) -> dict[str, set[str]]:
    """lang → each evaluation case's text with its emoji read as each acceptable answer
    (casefolded, spaces collapsed); a decorative case's answer "" drops the emoji."""
    phrases: dict[str, set[str]] = defaultdict(set)
    with open(path, encoding="utf-8") as f:
        for case in map(json.loads, filter(str.strip, f)):
            for answer in case["answers"]:
                phrases[case["lang"]].add(_flat(case["text"].replace(case["emoji"], answer, 1)))
    return phrases


def _flat(text: str) -> str:
    return " ".join(text.casefold().split())


def contains_any(sentence: str, phrases: set[str]) -> bool:
    flat = _flat(sentence)
    return any(phrase and phrase in flat for phrase in phrases)


class Substitutions:
    """Reverse index of the candidate table: word → the ways an emoji can replace it."""

    def __init__(self, table: dict, lang: str):
        self.by_word: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # word → (emoji text, kind, answer)
        for emoji, terms in table["literal"].get(lang, {}).items():
            for term in terms[:6]:
                self.by_word[term.casefold()].append((emoji, "literal", term))
        for emoji, rows in table["homophone"].get(lang, {}).items():
            for word, _ in rows[:6]:
                self.by_word[word.casefold()].append((emoji, "homophone", word))
        for emoji, rows in table["partword"].get(lang, {}).items():
            for fragment, word in rows:
                rest = word[len(fragment):] if word.startswith(fragment) else None
                glued = emoji + rest if rest is not None else word[: -len(fragment)] + emoji
                self.by_word[word.casefold()].append((glued, "homophone", fragment))
        for pair, words in table["rebus"].get(lang, {}).items():
            for word in words[:5]:
                self.by_word[word.casefold()].append((pair, "rebus", word))
        for emoji, meanings in table["slang"].get(lang, {}).items():
            for meaning in meanings:
                if " " not in meaning:
                    self.by_word[meaning.casefold()].append((emoji, "slang", meaning))

    def options(self, word: str) -> list[tuple[str, str, str]]:
        return self.by_word.get(word.casefold(), [])


def words_of(sentence: str, lang: str) -> list[tuple[int, int, str]]:
    if lang in ("zh", "ja"):
        import jieba  # pip install jieba (wordfreq's Chinese tokenizer)

        out, pos = [], 0
        for w in jieba.cut(sentence):
            out.append((pos, pos + len(w), w))
            pos += len(w)
        return [t for t in out if _WORD.fullmatch(t[2])]
    return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(sentence)]


def synthesize(sentence: str, lang: str, subs: Substitutions, rng: random.Random, cfg: SynthConfig) -> dict | None:
    """One message with emojis replacing words, or None if no word can be replaced."""
    slots = [(s, e, w, subs.options(w)) for s, e, w in words_of(sentence, lang)]
    slots = [t for t in slots if t[3]]
    if not slots:
        return None
    n = max(1, round(cfg.replace_ratio * len(slots)))
    chosen = sorted(rng.sample(slots, min(n, len(slots))))
    pieces, targets, pos, out_len = [], [], 0, 0
    for start, end, word, options in chosen:
        kind_pick = rng.choice(sorted({k for _, k, _ in options}))  # balance kinds before options
        emoji_text, kind, answer = rng.choice([o for o in options if o[1] == kind_pick])
        if word[:1].isupper() and kind == "homophone" and emoji_text[-1:].isalpha():
            emoji_text = emoji_text  # glued pun keeps its letters as they were
        before = sentence[pos:start]
        pieces.append(before)
        out_len += len(before)
        targets.append({"offset": out_len, "emoji": emoji_text, "kind": kind, "answer": answer, "word": word})
        pieces.append(emoji_text)
        out_len += len(emoji_text)
        pos = end
    text = "".join(pieces) + sentence[pos:]
    if rng.random() < cfg.decorative_rate:
        emoji = rng.choice(DECORATIVE)
        text = text.rstrip() + " " + emoji
        targets.append({"offset": len(text) - len(emoji), "emoji": emoji, "kind": "decorative", "answer": "",
                        "word": ""})
    return {"text": text, "lang": lang, "source_text": sentence, "targets": targets}


def zipf(word: str, lang: str) -> float:
    from .candidates import zipf as _zipf

    return _zipf(word, lang)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", default="models/emoji-decoder/candidates.json.gz")
    parser.add_argument("--text", action="append", default=[], metavar="LANG:FILE",
                        help="a text file in LANG, one message per line (repeatable)")
    parser.add_argument("--langs", nargs="+", default=None, help="languages (default: the table's)")
    parser.add_argument("--replace-ratio", type=float, default=SynthConfig.replace_ratio)
    parser.add_argument("--max-sentences", type=int, default=SynthConfig.max_sentences)
    parser.add_argument("--exclude", default="tests/data/explain_cases.jsonl",
                        help="evaluation cases (JSON Lines: text, lang, emoji, answers) that no source sentence "
                             "may contain; '' to keep every sentence")
    parser.add_argument("--out", default="build/decoder/examples.jsonl")
    args = parser.parse_args(argv)
    cfg = SynthConfig(replace_ratio=args.replace_ratio, max_sentences=args.max_sentences)
    with gzip.open(args.table, "rt", encoding="utf-8") as f:
        table = json.load(f)
    langs = args.langs or table["languages"]
    sources: dict[str, list[str]] = defaultdict(list)
    for spec in args.text:
        lang, _, path = spec.partition(":")
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = [line.strip() for line in f if len(line.split()) >= 3]
        sources[lang] += random.Random(cfg.seed).sample(lines, min(len(lines), cfg.max_sentences))
    if args.exclude and not Path(args.exclude).is_file():
        parser.error(f"--exclude {args.exclude}: no such file (pass --exclude '' to keep every sentence)")
    excluded = evaluation_phrases(args.exclude) if args.exclude else {}
    rng = random.Random(cfg.seed)
    counts = defaultdict(int)
    with open(args.out, "w", encoding="utf-8") as out:
        for lang in langs:
            subs = Substitutions(table, lang)
            frame_words = [w for w in subs.by_word if zipf(w, lang) >= 3.0]
            sentences = list(dict.fromkeys(sources[lang] + templated(lang, sorted(frame_words), cfg.templated,
                                                                     cfg.seed)))
            kept = [s for s in sentences if not contains_any(s, excluded.get(lang, set()))]
            if len(kept) < len(sentences):
                print(f"{lang}: dropped {len(sentences) - len(kept)} source sentences that contain an evaluation case")
            for sentence in kept:
                for _ in range(1 if sentence in sources[lang] else 3):  # frames: several substitutions each
                    row = synthesize(sentence, lang, subs, rng, cfg)
                    if row is None:
                        continue
                    row["split"] = split_of(sentence, cfg)
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
                    for t in row["targets"]:
                        counts[(lang, row["split"], t["kind"])] += 1
    for key in sorted(counts):
        print(*key, counts[key])


if __name__ == "__main__":
    main()
