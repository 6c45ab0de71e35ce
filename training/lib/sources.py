"""Readers of the raw corpora: each yields Examples whose targets are weighted emojis.

Emoji-labelled chat (the writer's own emoji is the label):
- TweetEval emoji (English) and the SemEval-2018 Task 2 trial sets (English, Spanish);
- Russian Telegram comments (`telegram_ru/comments.tsv`, Text2Emoji-RU).
Emotion-labelled text, joined to emojis through `training/data/emotion_emojis.tsv`:
- GoEmotions (English Reddit comments, 27 emotions);
- XED (movie subtitles, Plutchik's 8 emotions; English and Finnish annotated, 30+
  languages projected).

Texts are returned raw; `prepare` normalises and deduplicates them.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from pathlib import Path

from assistant.core.emojis import canonical
from training.lib.emotion_table import EmotionMap

# XED's projection files are named by subtitle language; a few codes are not ISO 639-1.
XED_LANGUAGES = {"br": "pt", "cn": "zh", "tw": "zh-Hant"}
XED_EMOTIONS = {1: "anger", 2: "anticipation", 3: "disgust", 4: "fear", 5: "joy", 6: "sadness",
                7: "surprise", 8: "trust"}


@dataclass
class Example:
    text: str
    targets: dict[str, float]  # canonical emoji → weight; weights sum to 1
    lang: str
    source: str
    split: str
    emoji: str = field(default="")  # the heaviest target: the label closed-set scores use

    def __post_init__(self):
        if not self.emoji and self.targets:
            self.emoji = max(self.targets.items(), key=lambda item: (item[1], item[0]))[0]


def single(text: str, emoji: str, lang: str, source: str, split: str) -> Example:
    return Example(text, {canonical(emoji): 1.0}, lang, source, split)


def hashed_split(text: str, val: float, test: float) -> str:
    """Deterministic split from the text itself, so reruns (and other corpora) agree."""
    bucket = int(hashlib.sha1(text.lower().encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if bucket < test else "val" if bucket < test + val else "train"


def read_mapping(path: Path) -> dict[int, str]:
    """SemEval's `id<TAB>emoji<TAB>name` mapping file → {id: canonical emoji}."""
    mapping = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].strip().isdigit():
            mapping[int(parts[0])] = canonical(parts[1].strip())
    return mapping


def read_pairs(text_path: Path, label_path: Path, mapping: dict[int, str], lang: str, source: str, split: str):
    texts = text_path.read_text(encoding="utf-8").split("\n")
    labels = label_path.read_text(encoding="utf-8").split()
    for text, label in zip(texts, labels):
        yield single(text, mapping[int(label)], lang, source, split)


def read_tweets(data: Path, es_val: float, es_test: float):
    """TweetEval (its own splits), us_trial (train; duplicates of TweetEval are dropped later),
    es_trial (hashed into train/val/test)."""
    tweeteval, semeval = data / "tweeteval_emoji", data / "semeval2018_emoji"
    en_map = read_mapping(tweeteval / "mapping.txt")
    for split in ("train", "val", "test"):
        yield from read_pairs(tweeteval / f"{split}_text.txt", tweeteval / f"{split}_labels.txt",
                              en_map, "en", "tweeteval", split)
    yield from read_pairs(semeval / "us_trial.text", semeval / "us_trial.labels",
                          read_mapping(semeval / "us_mapping.txt"), "en", "semeval_us_trial", "train")
    es_map = read_mapping(semeval / "es_mapping.txt")
    for ex in read_pairs(semeval / "es_trial.text", semeval / "es_trial.labels", es_map, "es", "semeval_es_trial", ""):
        ex.split = hashed_split(ex.text, es_val, es_test)
        yield ex


def read_telegram_ru(path: Path, val: float, test: float):
    """`text<TAB>emoji` comments; the split is hashed from the text (our own held-out part)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        text, tab, label = line.rpartition("\t")
        if tab and text.strip() and label.strip():
            yield single(text, label.strip(), "ru", "telegram_ru", hashed_split(text, val, test))


def read_goemotions(folder: Path, table: EmotionMap):
    """GoEmotions' own splits (dev → val); comments labelled only neutral are skipped."""
    names = (folder / "labels.txt").read_text(encoding="utf-8").split()
    for split, file in (("train", "train.tsv"), ("val", "dev.tsv"), ("test", "test.tsv")):
        for line in (folder / file).read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) < 2:
                continue
            emotions = [names[int(i)] for i in parts[1].split(",") if i.strip().isdigit()]
            targets = table.targets("goemotions", emotions)
            if targets:
                yield Example(parts[0], targets, "en", "goemotions", split)


def _xed_lines(path: Path, lang: str, source: str, table: EmotionMap, val: float, test: float):
    for line in path.read_text(encoding="utf-8").splitlines():
        text, tab, labels = line.rpartition("\t")
        if not tab:
            continue
        emotions = [XED_EMOTIONS[int(i)] for i in labels.replace(" ", "").split(",") if i.isdigit() and int(i) in XED_EMOTIONS]
        targets = table.targets("xed", emotions)
        if targets and text.strip():
            yield Example(text, targets, lang, source, hashed_split(text, val, test))


def read_xed(folder: Path, table: EmotionMap, *, per_language: int, val: float, test: float, seed: int = 0):
    """English and Finnish annotations in full; each projected language capped at
    `per_language` lines (a seeded sample), since projections are noisy and English-heavy."""
    yield from _xed_lines(folder / "en-annotated.tsv", "en", "xed_en", table, val, test)
    yield from _xed_lines(folder / "fi-annotated.tsv", "fi", "xed_fi", table, val, test)
    for path in sorted((folder / "projections").glob("*-projections*.tsv")):
        code = path.name.split("-")[0]
        if code in ("en", "fi"):  # annotated by people above
            continue
        lang = XED_LANGUAGES.get(code, code)
        rows = list(_xed_lines(path, lang, "xed_projected", table, val, test))
        random.Random(f"{seed}-{code}").shuffle(rows)
        yield from rows[:per_language]
