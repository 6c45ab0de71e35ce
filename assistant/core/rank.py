"""Model probabilities, keyword matches, the message's tone and a popularity prior → the top-k emojis.

The model knows the ~100 emojis people use most in chat; the lexicon knows every emoji's
localized names and keywords. Fusing the two lets "I love pizza" surface 🍕 though no
training label covers it. The rules, in order:
1. fused score = (1-w)·model probability + w·keyword share (w = KEYWORD_WEIGHT when a
   word of the message names an emoji, else 0);
2. keyword emojis join the model's list but never push its confident choices (probability
   ≥ CONFIDENT) out of the top k;
3. a clearly negative message gets no cheerful emoji first unless the writer laughs
   (assistant.core.feelings);
4. the language's popularity prior breaks ties and fills a list the model and the
   keywords leave short.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .feelings import Tone, agree


@dataclass(frozen=True)
class RankSettings:
    keyword_weight: float = 0.5  # share of the score given to keyword matches when there are any
    keyword_top: int = 5  # only the best keyword matches count; "love" alone matches dozens of emojis
    confident: float = 0.25  # model choices at least this probable keep their place in the top k
    tie_weight: float = 1e-6  # popularity's weight: orders equal scores, never reorders unequal ones

    def __post_init__(self):
        if not 0 <= self.keyword_weight <= 1:
            raise ValueError(f"keyword_weight must be within [0, 1], got {self.keyword_weight}")
        if self.keyword_top < 0 or not 0 < self.confident <= 1:
            raise ValueError(f"keyword_top must be >= 0 and confident within (0, 1], got "
                             f"{self.keyword_top}, {self.confident}")


DEFAULT = RankSettings()


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def fuse(labels: list[str], probs: np.ndarray, keyword_scores: dict[str, float], k: int, *,
         tone: Tone | None = None, prior: dict[str, float] | None = None,
         settings: RankSettings = DEFAULT) -> list[tuple[str, float]]:
    """The top-k (emoji, score) pairs, best first; see the module docstring for the rules.

    The keyword share squares the match scores of the best `keyword_top` matches, so one
    specific hit ("pizza") outweighs several generic ones ("love").
    """
    prior = prior or {}
    best = sorted(keyword_scores.items(), key=lambda item: (-item[1], -prior.get(item[0], 0.0), item[0]))
    best = best[:settings.keyword_top]
    total = sum(s * s for _, s in best)
    w = settings.keyword_weight if total > 0 else 0.0
    scores: dict[str, float] = {}
    for label, p in zip(labels, probs):
        scores[label] = (1 - w) * float(p)
    for emoji, s in best:
        scores[emoji] = scores.get(emoji, 0.0) + w * s * s / total
    for emoji, share in prior.items():  # ties and a thin list: the popular emoji first
        scores[emoji] = scores.get(emoji, 0.0) + settings.tie_weight * share
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    if tone is not None:
        ranked = agree(ranked, tone)
    return _keep_confident(ranked, dict(zip(labels, map(float, probs))), k, settings.confident)


def _keep_confident(ranked: list[tuple[str, float]], model: dict[str, float], k: int,
                    confident: float) -> list[tuple[str, float]]:
    """The first k of `ranked`, with any confident model choice that fell below k put back in
    place of the lowest emoji that is not one."""
    top, rest = ranked[:k], ranked[k:]
    missing = [item for item in rest if model.get(item[0], 0.0) >= confident]
    for item in missing:
        for i in range(len(top) - 1, -1, -1):
            if model.get(top[i][0], 0.0) < confident:
                top[i] = item
                break
    return top
