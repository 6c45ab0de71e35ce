"""examples.jsonl, as training.prepare writes it: its splits, each example's weighted emojis, label weights;
an example's text in both cases."""
from __future__ import annotations

import json
from collections import Counter


def read_examples(path: str) -> dict[str, list[dict]]:
    splits: dict[str, list[dict]] = {"train": [], "val": [], "test": []}
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            splits[row["split"]].append(row)
    return splits


def label_weights(rows: list[dict]) -> Counter:
    """Training weight per emoji: each example's targets summed (one-hot rows count 1)."""
    counts: Counter = Counter()
    for row in rows:
        for emoji, weight in targets_of(row).items():
            counts[emoji] += weight
    return counts


def targets_of(row: dict) -> dict[str, float]:
    """An example's weighted emojis; files without `targets` (older or user-made) have one emoji."""
    return row.get("targets") or {row["emoji"]: 1.0}


def case_variants(text: str) -> list[str]:
    """`text` as written, then with its first letter's case flipped when that changes it. Phones
    capitalise a message's first word and many writers do not, while each corpus leans to one
    form (the feelings messages are nine tenths lower case, tweets mostly capitalised): a model
    that saw a feeling in one form only reads the other as another kind of text. Capitalising
    the first letter of the feelings validation messages cost 0.12.0 6.5 points of first fit and
    tripled the cheerful emojis it put first under non-upbeat messages (26 → 74 of 2,713)."""
    first = text[:1]
    flipped = first.lower() if first.isupper() else first.upper()
    return [text] if flipped == first else [text, flipped + text[1:]]
