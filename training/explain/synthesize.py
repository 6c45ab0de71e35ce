"""Plain text → messages where emojis stand in for words, with the word each one replaced.

Four kinds of substitution, as IER-SMCEM builds its data (pronunciation similarity ≥ 0.7,
40% of the replaceable words replaced), plus decorative emojis that stand for nothing:
- homophone: a word → an emoji whose name sounds like it ("be" → 🐝), or part of a word
  ("believe" → "🐝lieve", or written apart: "🐝 leaf");
- rebus: a word → two emojis whose sounds make it ("压力" → "🦆🍐");
- literal: a word → the emoji whose localized name or keyword it is ("Nacht" → 🌙);
- slang: a word → the emoji the community uses for it (community.py: "dead" → 💀);
- decorative: an emoji appended to the message (the answer is "" = not a word).
Every source sentence goes to exactly one split (hash of the sentence), so no sentence is
in both train and test. Sources: any text files (one message per line) and templated frame
sentences (sentences.py); training.explain.corpora turns installable collections (fortune
files, review corpora) into such files for languages without tweets. A source sentence that
contains an evaluation case (`--exclude`, by default the hand-written test and development
sets) with its emoji read as an acceptable answer is dropped, so neither the ranker nor the
word-pair counts see a case it is measured or tuned on.

    python -m training.explain.synthesize --text en:../shared/data/tweeteval_emoji/train_text.txt \
        --text es:../shared/data/semeval2018_emoji/es_trial.text --out build/explain/examples.jsonl
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from assistant.core.text import fold, is_cjk, letters_pattern
from training.lib.defaults import EXPLAIN_EXAMPLES, EXPLAIN_TABLE

from .rituals import ritual_sentences
from .sentences import templated
from .words import UNSPACED_LANGS, words_of, zipf

KINDS = ("homophone", "rebus", "literal", "slang", "decorative")
# hand-written cases: the test set (reported, never tuned on) and the development set (tuned on)
EVALUATION_CASES = ("tests/data/explain_cases.jsonl", "training/explain/data/dev_cases.jsonl")
# reactions: emojis that in real messages mostly stand for no word (faces, hearts, gestures, celebration)
DECORATIVE = ["😂", "❤️", "😍", "😊", "🙏", "😭", "✨", "💕", "😘", "👍", "🎉", "💯", "😎", "🤗", "😉",
              "🥰", "😁", "😅", "🤣", "😢", "😩", "😒", "😳", "🙈", "🙌", "👏", "💪", "👌", "✌️", "😀", "😃",
              "😄", "😆", "😋", "😜", "😏", "🥳", "😇", "🤩", "😬", "🙄", "😤", "😡", "🥺", "💖", "💗", "💞",
              "💙", "💜", "💚", "💛", "🧡", "🖤", "💓", "🎊", "🌟", "💫", "😌", "🤔", "🤭", "😱", "😔"]
KEYWORD_WEIGHT = 0.25  # literal: how much less often a word is written as an emoji it is only a keyword of
HOMOPHONES_PER_EMOJI = 10  # sound-alikes of each emoji a word may be replaced by (the table keeps 20)


@dataclass
class SynthConfig:
    replace_ratio: float = 0.4  # share of replaceable words replaced (IER-SMCEM: 40%)
    decorative_rate: float = 0.3  # share of messages that also get a trailing decorative emoji (1-3 copies)
    literal_zipf: float = 5.0  # literal stand-ins for words more frequent than this get rarer by the excess
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


def long_enough(line: str, lang: str) -> bool:
    """At least three words (Chinese, Japanese: six characters): shorter lines give the ranker no context."""
    return len(line) >= 6 if lang in UNSPACED_LANGS else len(line.split()) >= 3


def split_of(sentence: str, cfg: SynthConfig) -> str:
    # casefold, not assistant.core.text.fold: the hash keeps every sentence in the split it has always had
    h = int(hashlib.sha1(sentence.strip().casefold().encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if h < cfg.test_share else "val" if h < cfg.test_share + cfg.val_share else "train"


def read_cases(path: str | Path) -> list[dict]:
    """Hand-written cases (JSON Lines: text, lang, emoji, kind, answers)."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluation_phrases(*paths) -> dict[str, set[str]]:
    """lang → each evaluation case's text with its emoji read as each acceptable answer
    (folded, spaces collapsed); a decorative case drops the emoji."""
    phrases: dict[str, set[str]] = defaultdict(set)
    for case in (case for path in paths for case in read_cases(path)):
        answers = [""] if case["kind"] == "decorative" else case["answers"]
        for answer in answers:
            phrases[case["lang"]].add(_flat(case["text"].replace(case["emoji"], answer, 1)))
    return phrases


def _flat(text: str) -> str:
    return " ".join(fold(text).split())


def contains_any(sentence: str, phrases: set[str]) -> bool:
    flat = _flat(sentence)
    return any(phrase and phrase in flat for phrase in phrases)


def in_name(term: str, name: str) -> bool:
    """Whether `term` is a word of `name`, or a piece of a compound at least 4 letters long
    ("Beere" in "Erdbeere", 月饼 in 中秋月饼), but not "i" in "information"."""
    return term in letters_pattern().findall(name) or len(term) >= (1 if is_cjk(term[:1]) else 4) and term in name


class Substitutions:
    """Reverse index of the candidate table: word → the ways an emoji can replace it.

    `frequency(word, lang)` is the word's Zipf frequency (wordfreq by default): people write
    nouns as emojis, seldom "la" or "I", so a literal stand-in for a word more frequent than
    `literal_zipf` is rarer by the excess (Zipf 7 against 5: a hundred times rarer).
    """

    def __init__(self, table: dict, lang: str, *, literal_zipf: float = SynthConfig.literal_zipf, frequency=None):
        self.lang, self.literal_zipf = lang, literal_zipf
        self.frequency = frequency or zipf
        self.by_word: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # word → (emoji text, kind, answer)
        self.weights: dict[tuple[str, str], float] = {}  # (word, emoji text) → how likely a writer picks it
        self.apart: dict[tuple[str, str], float] = {}  # (word, "🐝 leaf") → weight: each emoji's split puns weigh one
        literal = table["literal"].get(lang, {})
        named = Counter(t for terms in literal.values() for t in {fold(t) for t in terms[:6]})  # term → emojis
        for emoji, terms in literal.items():
            name = fold(terms[0]) if terms else ""
            for term in terms[:6]:
                self.by_word[fold(term)].append((emoji, "literal", term))
                # Someone writing "cheese" as an emoji picks 🧀 (named so), seldom 🍕 (a keyword); "milk"
                # as 🥛 ("glass of milk"), and a word that is a keyword of forty emojis ("food") seldom as any.
                self.weights[(fold(term), emoji)] = (1.0 if in_name(fold(term), name) else
                                                     KEYWORD_WEIGHT / named[fold(term)])
        for emoji, rows in table["homophone"].get(lang, {}).items():
            for word, similarity in rows[:HOMOPHONES_PER_EMOJI]:
                self.by_word[fold(word)].append((emoji, "homophone", word))
                # a writer picks a close sound-alike over a distant one: "I'll" → 🦉 (0.67) seldom
                self.weights[(fold(word), emoji)] = similarity ** 4
        for emoji, rows in table["partword"].get(lang, {}).items():
            for fragment, word in rows:
                rest = word[len(fragment):] if word.startswith(fragment) else None
                glued = emoji + rest if rest is not None else word[: -len(fragment)] + emoji
                self.by_word[fold(word)].append((glued, "homophone", fragment))
        split = [(emoji, row) for emoji, rows in table.get("split", {}).get(lang, {}).items() for row in rows]
        per_emoji = Counter((emoji, fold(word)) for emoji, (_, word, _, _) in split)
        for emoji, (neighbour, word, side, _) in split:
            written = f"{emoji} {neighbour}" if side == "after" else f"{neighbour} {emoji}"
            self.by_word[fold(word)].append((written, "homophone", word))
            self.apart[(fold(word), written)] = 1.0 / per_emoji[(emoji, fold(word))]
        for emoji, rows in table.get("phrase", {}).get(lang, {}).items():  # "buenas noches": noches → 🌙
            for _, word, _, _ in rows:
                if " " not in word and (emoji, "literal", word) not in self.by_word[fold(word)]:
                    self.by_word[fold(word)].append((emoji, "literal", word))
        for pair, words in table["rebus"].get(lang, {}).items():
            for word in words[:5]:
                self.by_word[fold(word)].append((pair, "rebus", word))
        for emoji, meanings in table["slang"].get(lang, {}).items():
            for meaning in meanings:
                if " " not in meaning:
                    self.by_word[fold(meaning)].append((emoji, "slang", meaning))

    def options(self, word: str) -> list[tuple[str, str, str]]:
        return self.by_word.get(fold(word), [])

    def literal_chance(self, word: str, options: list[tuple[str, str, str]]) -> float:
        """How likely a writer is to write `word` as a literal emoji at all: 1 for a word in an
        emoji's name, the summed keyword weights for a word that is only a keyword, and less
        again for a frequent word."""
        named = min(1.0, sum(self.weights.get((fold(word), o[0]), 1.0) for o in options if o[1] == "literal"))
        return named * min(1.0, 10.0 ** (self.literal_zipf - self.frequency(word, self.lang)))

    def kept_options(self, word: str, options: list[tuple[str, str, str]], rng: random.Random) -> list:
        """`options` with the literal ones dropped with probability 1 - literal_chance; sound-alikes
        and slang are always kept."""
        literal = [o for o in options if o[1] == "literal"]
        if literal and rng.random() >= self.literal_chance(word, literal):
            return [o for o in options if o[1] != "literal"]
        return options

    def pick(self, word: str, options: list[tuple[str, str, str]], rng: random.Random) -> tuple[str, str, str]:
        """One of `options` (all of one kind), literal ones weighted as in `weights` (name over keyword),
        whole-word sound-alikes by how close they sound, split puns as in `apart` (each emoji's
        written-apart forms of a word weigh as one option)."""
        weights = [self.apart[(fold(word), o[0])] if (fold(word), o[0]) in self.apart else
                   self.weights.get((fold(word), o[0]), 1.0) for o in options]
        return rng.choices(options, weights)[0]


def synthesize(sentence: str, lang: str, subs: Substitutions, rng: random.Random, cfg: SynthConfig) -> dict | None:
    """One message with emojis replacing words, or None if no word can be replaced."""
    slots = [(s, e, w, subs.options(w)) for s, e, w in words_of(sentence, lang)]
    slots = [t for t in slots if t[3]]
    if not slots:
        return None
    n = max(1, round(cfg.replace_ratio * len(slots)))
    chosen = [(s, e, w, subs.kept_options(w, options, rng))
              for s, e, w, options in sorted(rng.sample(slots, min(n, len(slots))))]
    chosen = [slot for slot in chosen if slot[3]]
    if not chosen:
        return None
    pieces, targets, pos, out_len = [], [], 0, 0
    for start, end, word, options in chosen:
        kind_pick = rng.choice(sorted({k for _, k, _ in options}))  # balance kinds before options
        emoji_text, kind, answer = subs.pick(word, [o for o in options if o[1] == kind_pick], rng)
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
        offset = len(text.rstrip()) + 1
        text = text.rstrip() + " " + emoji * rng.choice((1, 1, 2, 3))  # "🎉🎉": repeats are reactions too
        targets.append({"offset": offset, "emoji": emoji, "kind": "decorative", "answer": "", "word": ""})
    return {"text": text, "lang": lang, "source_text": sentence, "targets": targets}


RITUAL_TAILS = {"en": ["", "!", " everyone", " guys", " my friend"], "es": ["", "!", " a todos", " amigos", " mamá"],
                "de": ["", "!", " euch allen", " ihr Lieben", " Mama"], "fr": ["", " !", " à tous", " les amis", " maman"],
                "ru": ["", "!", " всем", " друзья", " мама"], "zh": ["", "！", "，宝贝", "，大家", "呀"]}


def ritual_examples(lang: str, rng: random.Random, cfg: SynthConfig, copies: int = 3) -> list[dict]:
    """Messages of the ritual phrases (rituals.py) with the emoji in the phrase word's place."""
    rows = []
    for sentence, emoji, word in ritual_sentences(lang):
        at = sentence.find(word)
        for tail in rng.sample(RITUAL_TAILS.get(lang, [""]), min(copies, len(RITUAL_TAILS.get(lang, [""])))):
            text = sentence[:at] + emoji + sentence[at + len(word):] + tail
            rows.append({"text": text, "lang": lang, "source_text": sentence + tail, "split": split_of(sentence + tail, cfg),
                         "targets": [{"offset": at, "emoji": emoji, "kind": "literal", "answer": word, "word": word}]})
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", default=str(EXPLAIN_TABLE))
    parser.add_argument("--text", action="append", default=[], metavar="LANG:FILE",
                        help="a text file in LANG, one message per line (repeatable)")
    parser.add_argument("--langs", nargs="+", default=None, help="languages (default: the table's)")
    parser.add_argument("--replace-ratio", type=float, default=SynthConfig.replace_ratio)
    parser.add_argument("--max-sentences", type=int, default=SynthConfig.max_sentences)
    parser.add_argument("--literal-zipf", type=float, default=SynthConfig.literal_zipf,
                        help="literal stand-ins for words more frequent than this (Zipf scale) get rarer")
    parser.add_argument("--exclude", nargs="*", default=list(EVALUATION_CASES), metavar="FILE",
                        help="evaluation cases (JSON Lines: text, lang, emoji, answers) that no source sentence "
                             "may contain (default: the hand-written test and development sets); '' or no FILE "
                             "to keep every sentence")
    parser.add_argument("--out", default=str(EXPLAIN_EXAMPLES))
    args = parser.parse_args(argv)
    cfg = SynthConfig(replace_ratio=args.replace_ratio, max_sentences=args.max_sentences,
                      literal_zipf=args.literal_zipf)
    with gzip.open(args.table, "rt", encoding="utf-8") as f:
        table = json.load(f)
    langs = args.langs or table["languages"]
    sources: dict[str, list[str]] = defaultdict(list)
    for spec in args.text:
        lang, _, path = spec.partition(":")
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = [line.strip() for line in f if long_enough(line.strip(), lang)]
        sources[lang] += random.Random(cfg.seed).sample(lines, min(len(lines), cfg.max_sentences))
    exclude = [path for path in args.exclude if path]
    for path in exclude:
        if not Path(path).is_file():
            parser.error(f"--exclude {path}: no such file (pass --exclude '' to keep every sentence)")
    excluded = evaluation_phrases(*exclude)
    rng = random.Random(cfg.seed)
    counts = defaultdict(int)
    with open(args.out, "w", encoding="utf-8") as out:
        for lang in langs:
            subs = Substitutions(table, lang, literal_zipf=cfg.literal_zipf)
            frame_words = [w for w in subs.by_word if zipf(w, lang) >= 3.0]
            sentences = list(dict.fromkeys(sources[lang] + templated(lang, sorted(frame_words), cfg.templated,
                                                                     cfg.seed)))
            kept = [s for s in sentences if not contains_any(s, excluded.get(lang, set()))]
            if len(kept) < len(sentences):
                print(f"{lang}: dropped {len(sentences) - len(kept)} source sentences that contain an evaluation case")
            for row in ritual_examples(lang, rng, cfg):
                if not contains_any(row["source_text"], excluded.get(lang, set())):
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
                    counts[(lang, row["split"], "literal")] += 1
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
