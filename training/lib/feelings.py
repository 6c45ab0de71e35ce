"""The hand-written feelings messages (training/data/feelings_train.jsonl.gz) as training examples.

Each message lists the emojis a person would expect, best first; as a training example its
emojis share the message's weight by their place in that list. The `val` rows are kept for
choosing settings and are never trained on. The file is JSON Lines, gzip'd (4.2 MB smaller in the
checkout); `zcat` shows it and `read_feelings` reads either form.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

from assistant.core.emojis import canonical
from training.lib.examples import case_variants

FEELINGS_TRAIN = Path("training/data/feelings_train.jsonl.gz")
SOURCE = "feelings"  # the examples' source, for TrainConfig.source_weights
# how much of an example a feeling message's expected emojis share, by their place in its list
PLACE_WEIGHTS = (0.35, 0.25, 0.15, 0.1, 0.08, 0.07)


def read_feelings(path: Path, split: str = "train") -> list[dict]:
    """The feelings messages of one split, their expected emojis canonical."""
    rows = []
    raw = Path(path).read_bytes()
    text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not row.get("text") or not row.get("expected"):
            raise SystemExit(f"{path}:{number}: a feelings message needs text and expected emojis")
        if row.get("split", "train") == split:
            rows.append({**row, "expected": [canonical(e) for e in row["expected"]]})
    return rows


def feelings_targets(row: dict) -> dict[str, float]:
    """A feelings message's expected emojis as weighted targets, by their place in its list."""
    targets: dict[str, float] = {}
    for emoji, weight in zip(row["expected"], PLACE_WEIGHTS):
        targets[emoji] = targets.get(emoji, 0.0) + weight
    return targets


def as_examples(feelings: list[dict], case_copies: bool = False) -> list[dict]:
    """Feelings messages (read_feelings) as training rows of examples.jsonl (source "feelings").
    With `case_copies`, each message also comes with its first letter's case flipped
    (case_variants), its forms sharing the message's weight (the rows' "weight")."""
    examples = []
    for row in feelings:
        texts = case_variants(row["text"]) if case_copies else [row["text"]]
        examples += [{"text": text, "targets": feelings_targets(row), "lang": row.get("lang", "und"),
                      "source": SOURCE, "split": "train", "emoji": row["expected"][0], "weight": 1 / len(texts)}
                     for text in texts]
    return examples


def feelings_examples(path: Path) -> list[dict]:
    """The training split of a feelings file as rows of examples.jsonl."""
    return as_examples(read_feelings(path))
