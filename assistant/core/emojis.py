"""Canonical emoji form, so that "❤", "❤️" and "❤🏽" are the same label.

Canonical = fully-qualified sequence (with U+FE0F where Unicode wants one) and
without skin-tone modifiers. ZWJ sequences stay whole ("👩‍💻" is one emoji).
"""
from __future__ import annotations

from functools import lru_cache

import emoji as emoji_data

SKIN_TONES = {chr(c) for c in range(0x1F3FB, 0x1F400)}
VARIATION_SELECTORS = {"\ufe0f", "\ufe0e"}


# Mixed-skin-tone pairs have no tone-free ZWJ form: without tones they are these single emojis.
PAIR_EMOJIS = {
    "👨\u200d🤝\u200d👨": "👬", "👩\u200d🤝\u200d👩": "👭", "👩\u200d🤝\u200d👨": "👫",
    "🧑\u200d❤\u200d🧑": "💑", "🧑\u200d❤\u200d💋\u200d🧑": "💏", "🫱\u200d🫲": "🤝",
    "🧑\u200d🐰\u200d🧑": "👯", "👨\u200d🐰\u200d👨": "👯\u200d♂️", "👩\u200d🐰\u200d👩": "👯\u200d♀️",
    "🧑\u200d🫯\u200d🧑": "🤼", "👨\u200d🫯\u200d👨": "🤼\u200d♂️", "👩\u200d🫯\u200d👩": "🤼\u200d♀️",
}


def _bare(seq: str) -> str:
    return "".join(ch for ch in seq if ch not in SKIN_TONES and ch not in VARIATION_SELECTORS)


@lru_cache(maxsize=1)
def _fully_qualified() -> dict[str, str]:
    table: dict[str, str] = {}
    for seq, info in emoji_data.EMOJI_DATA.items():
        if info.get("status") == emoji_data.STATUS["fully_qualified"]:
            table.setdefault(_bare(seq), _bare_keep_fe0f(seq))
    return table


def _bare_keep_fe0f(seq: str) -> str:
    return "".join(ch for ch in seq if ch not in SKIN_TONES)


def canonical(seq: str) -> str:
    """Return the canonical form of one emoji sequence.

    >>> canonical("❤") == canonical("❤️") == "❤️"
    True
    >>> canonical("👍🏽")
    '👍'
    """
    bare = _bare(seq)
    if bare in PAIR_EMOJIS:
        return PAIR_EMOJIS[bare]
    return _fully_qualified().get(bare, _bare_keep_fe0f(seq))


def is_emoji(seq: str) -> bool:
    return _bare(seq) in _fully_qualified()


def find_emojis(text: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical emoji) for every emoji in `text`, in order."""
    return [(m["match_start"], m["match_end"], canonical(m["emoji"])) for m in emoji_data.emoji_list(text)]


def strip_emojis(text: str, gap: str = "") -> str:
    """`text` with each emoji replaced by `gap`, whitespace collapsed ("I🐝you": "Iyou", or
    "I you" with gap=" " where the words either side must stay apart)."""
    kept, last = [], 0
    for start, end, _ in find_emojis(text):
        kept.append(text[last:start])
        last = end
    kept.append(text[last:])
    return " ".join(gap.join(kept).split())


def is_emoji_only(text: str) -> bool:
    """True when `text` holds at least one emoji and nothing else but spaces and punctuation.

    >>> is_emoji_only("💎🙌 !"), is_emoji_only("hold 💎🙌"), is_emoji_only("")
    (True, False, False)
    """
    return bool(find_emojis(text)) and not any(ch.isalnum() for ch in strip_emojis(text))
