"""examples.jsonl, as training.prepare writes it: its splits, each example's weighted emojis, label weights."""
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
