"""What explain() answers: each emoji's readings, names, keywords and sentiment, and the message rewritten."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

READING_KINDS = ("homophone", "rebus", "slang", "literal", "decorative")


@dataclass(frozen=True)
class Reading:
    """One thing an emoji may stand for."""
    text: str  # the word or words ("" for a decorative emoji)
    kind: str  # one of READING_KINDS
    score: float  # probability among the emoji's readings, rounded to 4 places (1.0 for a literal-only reading)


@dataclass
class EmojiExplanation:
    emoji: str
    start: int  # character offsets in the message
    end: int
    name: dict[str, str]  # {"<message language>": ..., "en": ...}
    keywords: list[str]
    sentiment: float | None
    readings: list[Reading] = field(default_factory=list)  # best first


@dataclass
class Explanation:
    text: str
    lang: str
    rewritten: str
    emojis: list[EmojiExplanation] = field(default_factory=list)
    decoder: str = "literal names only (no implicit-emoji decoder loaded)"  # which explain model read it
    sentiment_source: str = ""

    def to_dict(self) -> dict:
        return asdict(self)
