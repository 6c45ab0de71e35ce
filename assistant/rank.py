"""Model scores and keyword matches → the top-k emojis.

The model knows a few dozen labels learned from tweets; the lexicon knows every
emoji's localized keywords. Fusing the two lets "I love pizza" surface 🍕 though no
training label covers it, while messages without keyword hits rank by the model alone.
"""
from __future__ import annotations

import numpy as np

KEYWORD_WEIGHT = 0.5  # share of the score given to keyword matches when there are any
KEYWORD_TOP = 5  # only the best keyword matches count; "love" alone matches dozens of emojis


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def fuse(labels: list[str], probs: np.ndarray, keyword_scores: dict[str, float], k: int,
         *, keyword_weight: float = KEYWORD_WEIGHT) -> list[tuple[str, float]]:
    """Rank emojis by (1-w)·model probability + w·keyword share; ties broken by emoji for determinism.

    The keyword share squares the match scores of the best KEYWORD_TOP matches, so one
    specific hit ("pizza") outweighs several generic ones ("love").
    """
    best = sorted(keyword_scores.items(), key=lambda item: (-item[1], item[0]))[:KEYWORD_TOP]
    total = sum(s * s for _, s in best)
    w = keyword_weight if total > 0 else 0.0
    scores: dict[str, float] = {}
    for label, p in zip(labels, probs):
        scores[label] = (1 - w) * float(p)
    for emoji, s in best:
        scores[emoji] = scores.get(emoji, 0.0) + w * s * s / total
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:k]
