"""Emotion labels → weighted emojis: the one table that joins GoEmotions and XED to emoji labels.

The table is `training/data/emotion_emojis.tsv` (its header says how rows were chosen).
check() holds it against a published emoji–emotion resource, the Emoji Sentiment Ranking
(Kralj Novak et al. 2015): every emoji of a positive emotion must be used in positive
tweets, every emoji of a negative emotion in negative ones (`python -m training.emotion_map --check`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.core.emojis import canonical, is_emoji
from assistant.core.sentiment import mean_sentiment, sentiment

TABLE = Path(__file__).resolve().parents[1] / "data" / "emotion_emojis.tsv"

# Valence of each emotion, as GoEmotions' paper groups its labels (positive, negative,
# ambiguous) and Plutchik's wheel places XED's; ambiguous emotions are not checked.
VALENCE = {
    "admiration": 1, "amusement": 1, "approval": 1, "caring": 1, "desire": 1, "excitement": 1,
    "gratitude": 1, "joy": 1, "love": 1, "optimism": 1, "pride": 1, "relief": 1, "trust": 1,
    "anger": -1, "annoyance": -1, "disappointment": -1, "disapproval": -1, "disgust": -1,
    "embarrassment": -1, "fear": -1, "grief": -1, "nervousness": -1, "remorse": -1, "sadness": -1,
    "confusion": 0, "curiosity": 0, "realization": 0, "surprise": 0, "anticipation": 0,
}
NEUTRAL_BAND = 0.05  # sentiment within this of a bound gets no verdict


@dataclass(frozen=True)
class EmotionMap:
    rows: dict[tuple[str, str], dict[str, float]]  # (source, emotion) → {emoji: weight}

    def targets(self, source: str, emotions: list[str]) -> dict[str, float]:
        """Mean of the emotions' emoji weights; {} when none of them has a row (neutral)."""
        found = [self.rows[(source, e)] for e in emotions if (source, e) in self.rows]
        mixed: dict[str, float] = {}
        for row in found:
            for emoji, weight in row.items():
                mixed[emoji] = mixed.get(emoji, 0.0) + weight / len(found)
        return mixed

    def emojis(self) -> set[str]:
        return {e for row in self.rows.values() for e in row}


def read_table(path: Path = TABLE) -> EmotionMap:
    """Parse the TSV; ValueError names the line of a bad row or an emotion whose weights do not sum to 1."""
    rows: dict[tuple[str, str], dict[str, float]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 4 or not is_emoji(parts[2]):
            raise ValueError(f"{path}:{number}: expected source<TAB>emotion<TAB>emoji<TAB>weight, found {line!r}")
        source, emotion, emoji, weight = parts
        rows.setdefault((source, emotion), {})[canonical(emoji)] = float(weight)
    for key, row in rows.items():
        if abs(sum(row.values()) - 1) > 1e-6:
            raise ValueError(f"{path}: the weights of {key[0]} {key[1]} sum to {sum(row.values()):.2f}, expected 1")
    return EmotionMap(rows)


@lru_cache(maxsize=1)
def shipped_table() -> EmotionMap:
    return read_table(TABLE)


def agrees(score: float, valence: int, neutral: float) -> bool:
    """Negative emotions need score ≤ neutral, positive ones score ≥ 0 (each ± NEUTRAL_BAND)."""
    return score <= neutral + NEUTRAL_BAND if valence < 0 else score >= -NEUTRAL_BAND


def check(table: EmotionMap) -> tuple[list[str], list[str]]:
    """(Markdown lines of the table with each emoji's sentiment, the disagreements found).

    The ranking's tweets lean positive (occurrence-weighted mean +0.39; 😢 scores +0.01,
    😂 +0.22), so an emoji of a negative emotion disagrees when its tweets are more positive
    than the average emoji's, and one of a positive emotion when its tweets are negative on
    balance; each emotion's weighted mean must fall on its side of the same bounds.
    """
    neutral = mean_sentiment()
    lines = ["| source | emotion | valence | emojis (weight, sentiment) | weighted sentiment |", "|---|---|---|---|---|"]
    problems = []
    for (source, emotion), row in sorted(table.rows.items()):
        valence = VALENCE.get(emotion)
        if valence is None:
            problems.append(f"{source} {emotion}: no valence recorded in VALENCE")
            continue
        cells, weighted, covered = [], 0.0, 0.0
        for emoji, weight in sorted(row.items(), key=lambda item: -item[1]):
            score = sentiment(emoji)
            cells.append(f"{emoji} {weight:.2f} ({'n/a' if score is None else f'{score:+.2f}'})")
            if score is None:
                continue
            weighted += weight * score
            covered += weight
            if valence and not agrees(score, valence, neutral):
                problems.append(f"{source} {emotion} ({'+' if valence > 0 else '-'}): {emoji} has sentiment {score:+.2f}")
        mean = weighted / covered if covered else None
        if valence and mean is not None and not agrees(mean, valence, neutral):
            problems.append(f"{source} {emotion}: weighted sentiment {mean:+.2f} is on the wrong side")
        lines.append(f"| {source} | {emotion} | {'+-?'[[1, -1, 0].index(valence)]} | {', '.join(cells)} | "
                     f"{'n/a' if mean is None else f'{mean:+.2f}'} |")
    return lines, problems
