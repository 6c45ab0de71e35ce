"""Words that say how the writer feels, in any language, read from the message's own letters.

The encoder reads meaning, but it places some feeling words of its less-trained languages
near other feelings ("sono così arrabbiato", I'm so angry, read as sleepy). The hand-written
feelings messages name each feeling in 39 languages, and a logistic regression over their
hashed character n-grams (the chat n-grams' features, assistant.core.chat_ngrams) learns the
words and stems that say it. The runtime only lifts, and only where the words clearly name a
feeling: an emoji the n-grams find at least `threshold` times more likely than uniform has its
probability multiplied by that ratio raised to a fitted weight; every other emoji keeps its
probability, so a message with no feeling word in it (most chat) keeps the encoder's reading.
(Lifting every emoji by its ratio, the threshold 1, cost the chat sets' validation lists and
macro-F1 more at the weights that helped the feelings messages most.) Data:
assistant/core/data/feeling_ngrams.npz, written by `python -m training.build_feeling_ngrams`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .chat_ngrams import hashed_probabilities, label_columns
from .paths import data_file

DATA_FILE = "feeling_ngrams.npz"


@dataclass(frozen=True)
class FeelingNgrams:
    emojis: list[str]
    idf: np.ndarray  # [buckets] float32
    weights: np.ndarray  # [buckets, emojis] int8 (or float), each emoji's column times its scale
    scale: np.ndarray  # [emojis] float32
    bias: np.ndarray  # [emojis]
    weight: float  # exponent on its lift when fused with the encoder's probabilities
    threshold: float = 1.0  # the least ratio to uniform that lifts an emoji (1: every ratio above 1)

    @property
    def buckets(self) -> int:
        return len(self.idf)

    def probabilities(self, text: str) -> np.ndarray:
        """[emojis] its own probabilities for a normalised message."""
        return hashed_probabilities(text, self.idf, self.weights, self.bias, self.scale)  # int8 kept: 8 MB, not 34

    def lift(self, text: str) -> np.ndarray:
        """[emojis] how many times more likely than uniform it finds each emoji where that is at
        least `threshold` (and above 1), else 1."""
        ratio = self.probabilities(text) * len(self.emojis)
        return np.where(ratio >= max(self.threshold, 1.0), ratio, 1.0)

    def fuse(self, text: str, labels: list[str], probs: np.ndarray) -> np.ndarray:
        """The encoder's probabilities over `labels` times its lift raised to `weight`, renormalised;
        a label it does not know is not lifted."""
        if not self.weight or not text:
            return probs
        columns = label_columns(tuple(self.emojis), tuple(labels))
        lift = np.where(columns >= 0, self.lift(text)[columns], 1.0)
        fused = probs * lift ** self.weight
        return (fused / fused.sum()).astype(np.float32)

    @classmethod
    def from_npz(cls, data) -> FeelingNgrams:
        return cls(emojis=[str(e) for e in data["emojis"]], idf=data["idf"].astype(np.float32),
                   weights=data["weights_int8"], scale=data["weight_scale"].astype(np.float32),
                   bias=data["bias"].astype(np.float32), weight=float(data["weight"]),
                   threshold=float(data["threshold"]) if "threshold" in data else 1.0)

    @classmethod
    def load(cls, path: Path) -> FeelingNgrams:
        """The model in an npz file; OSError, ValueError or KeyError if it is missing or damaged."""
        with Path(path).open("rb") as f, np.load(f) as data:
            return cls.from_npz(data)


@lru_cache(maxsize=1)
def feeling_ngrams() -> FeelingNgrams | None:
    """The shipped model, or None if its file is missing or damaged (the encoder's reading alone)."""
    try:
        return FeelingNgrams.load(data_file(DATA_FILE))
    except (OSError, ValueError, KeyError):
        return None
