"""Raw emoji-prediction sources → one deduplicated examples.jsonl with train/val/test splits.

Reads the TweetEval emoji folder (English), the SemEval-2018 Task 2 trial sets
(`us_trial`, `es_trial`) and any TSV (`text<TAB>emoji`) or JSON Lines
(`{"text", "emoji"}`) file. Labels become canonical emojis; texts are normalised
with the runtime's own `normalize_text`, and a text that occurs in an evaluation
split is never trained on.

    python -m training.prepare --data ../shared/data --out build/examples.jsonl
"""
from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, asdict
from pathlib import Path

from assistant.emojis import canonical
from assistant.normalize import normalize_text

SPLIT_ORDER = {"test": 0, "val": 1, "train": 2}  # on a duplicate, the evaluation copy wins


@dataclass
class Example:
    text: str
    emoji: str
    lang: str
    source: str
    split: str


def read_mapping(path: Path) -> dict[int, str]:
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
        yield Example(text, mapping[int(label)], lang, source, split)


def hashed_split(text: str, val: float, test: float) -> str:
    """Deterministic split from the text itself, so reruns agree."""
    bucket = int(hashlib.sha1(text.lower().encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if bucket < test else "val" if bucket < test + val else "train"


def read_shared(data: Path, es_val: float, es_test: float):
    tweeteval, semeval = data / "tweeteval_emoji", data / "semeval2018_emoji"
    en_map = read_mapping(tweeteval / "mapping.txt")
    for split in ("train", "val", "test"):
        yield from read_pairs(tweeteval / f"{split}_text.txt", tweeteval / f"{split}_labels.txt",
                              en_map, "en", "tweeteval", split)
    # us_trial shares 6,883 texts with TweetEval; deduplication below drops them.
    yield from read_pairs(semeval / "us_trial.text", semeval / "us_trial.labels",
                          read_mapping(semeval / "us_mapping.txt"), "en", "semeval_us_trial", "train")
    es_map = read_mapping(semeval / "es_mapping.txt")
    for ex in read_pairs(semeval / "es_trial.text", semeval / "es_trial.labels", es_map, "es", "semeval_es_trial", ""):
        ex.split = hashed_split(normalize_text(ex.text), es_val, es_test)
        yield ex


def read_user_file(path: Path, lang: str, split: str):
    """TSV `text<TAB>emoji` or JSON Lines `{"text", "emoji"[, "lang"]}`."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        if path.suffix in (".jsonl", ".json"):
            row = json.loads(line)
            yield Example(row["text"], canonical(row["emoji"]), row.get("lang", lang), path.name, split)
        else:
            text, _, label = line.rpartition("\t")
            yield Example(text, canonical(label.strip()), lang, path.name, split)


def deduplicate(examples) -> tuple[list[Example], Counter]:
    dropped: Counter = Counter()
    best: dict[str, Example] = {}
    for ex in examples:
        ex.text = normalize_text(ex.text)
        if not ex.text:
            dropped["empty text"] += 1
            continue
        key = ex.text.lower()
        seen = best.get(key)
        if seen is None:
            best[key] = ex
            continue
        if SPLIT_ORDER[ex.split] < SPLIT_ORDER[seen.split]:
            best[key], ex = ex, seen
        # A text kept in an evaluation split is also never trained on.
        dropped[f"duplicate of a {best[key].split} text ({ex.source} {ex.split})"] += 1
    return list(best.values()), dropped


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="folder laid out like ../shared/data")
    parser.add_argument("--extra", type=Path, nargs="*", default=[], help="TSV/JSONL files added to train")
    parser.add_argument("--extra-lang", default="und")
    parser.add_argument("--es-val", type=float, default=0.10, help="fraction of es_trial held out for validation")
    parser.add_argument("--es-test", type=float, default=0.20, help="fraction of es_trial held out for testing")
    parser.add_argument("--out", type=Path, default=Path("build/examples.jsonl"))
    args = parser.parse_args(argv)

    sources = []
    if args.data:
        sources.append(read_shared(args.data, args.es_val, args.es_test))
    for path in args.extra:
        sources.append(read_user_file(path, args.extra_lang, "train"))
    if not sources:
        parser.error("give --data and/or --extra")
    examples, dropped = deduplicate(ex for src in sources for ex in src)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for ex in examples:
            f.write(json.dumps(asdict(ex), ensure_ascii=False) + "\n")
    stats = Counter((ex.split, ex.lang) for ex in examples)
    print(f"wrote {len(examples)} examples to {args.out}")
    for (split, lang), n in sorted(stats.items()):
        print(f"  {split:5s} {lang}: {n}")
    for reason, n in dropped.most_common():
        print(f"  dropped {n}: {reason}")


if __name__ == "__main__":
    main()
