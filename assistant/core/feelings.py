"""Feeling agreement: a clearly negative message gets no cheerful emoji first, unless the
writer laughs ("lol I fell off my bike 😂" is fine).

Whether a message is negative is read from the model's own probabilities: the share it
gives to emojis of negative feelings (sad, angry, afraid, disgusted, sick, tired,
embarrassed, disapproving) against the share of cheerful ones. Laughter is read from the
text: laughter written out in many languages (lol, jaja, хаха, 哈哈, ㅋㅋ, 555, wkwk …)
or a laughing emoji.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .emojis import canonical, find_emojis

# Upbeat emojis: wrong first under "my cat is sick".
CHEERFUL = frozenset(canonical(e) for e in (
    "😂 🤣 😁 😄 😃 😀 😆 😊 ☺️ 🙂 😉 😘 😍 🥰 😗 😙 😚 😋 😛 😜 🤪 😝 🤗 🤩 🥳 😎 😇 😹 😸 😻 "
    "❤️ 🧡 💛 💚 💙 💜 🤍 🩷 🩵 💕 💞 💓 💗 💖 💘 💝 ❣️ ♥️ 🫶 🎉 🎊 ✨ 🌟 🙌 👏 🤭 😏 💃 🕺").split())

# Emojis of negative feelings: their probability mass says a message is negative.
NEGATIVE = frozenset(canonical(e) for e in (
    "😢 😭 😞 😔 😟 😕 🙁 ☹️ 😣 😖 😫 😩 🥺 😿 💔 🥲 😡 😠 🤬 😤 👿 💢 😨 😰 😱 😧 😦 😬 😓 😥 "
    "🤢 🤮 🤒 🤕 😷 🤧 😵 😵‍💫 🤯 😴 🥱 😪 😒 🙄 😑 😐 🫤 👎 🤦 😳 🙈 🫣 🕊️ 🖤 😮‍💨").split())

# Sleep is a topic more than a feeling: "schlaf gut" names 😴 and wishes well. Its words do not
# make a message negative (the model's own probability on these faces still does).
SLEEPY = frozenset(canonical(e) for e in "😴 🥱 😪 💤 🛌".split())
# The negative feelings a word can name: a word for sleep names a topic.
NAMED_NEGATIVE = NEGATIVE - SLEEPY

LAUGHING = frozenset(canonical(e) for e in "😂 🤣 😆 😹 😅 💀 ☠️".split())
_LAUGHTER = re.compile(
    r"(?<![^\W\d_])(?:l+o+l+z?|lm+f?a+o+|rofl|kek|(?:h+a+){2,}h*|(?:a+h+){2,}a*|(?:h+e+){2,}h*|(?:h+i+){2,}h*|(?:j+a+){2,}j*"
    r"|(?:j+e+){2,}|(?:k+a+){3,}|k{3,}|(?:r+s+){2,}|mdr+|ptdr+|xd+|(?:а+х+){2,}а*|(?:х+а+){2,}х*|хах+|лол|ржу|ржака"
    r"|(?:х+е+){2,}х*|(?:х+и+){2,}х*"
    r"|wk(?:wk)+|(?:w+k+){2,}|(?:x+i+){2,}|(?:ه+){3,}|(?:خخ)+)(?![^\W\d_])"
    r"|哈哈|呵呵|嘻嘻|笑死|ww+(?![a-z])|ｗｗ+|ㅋㅋ|ㅎㅎ|(?<![\d\-.:/,])555+(?![\d\-:/]|[.,]\d)|草$",
    re.IGNORECASE)

# Fitted with assistant.rank's settings on the development halves (the feelings suite, chat validation sets).
NEGATIVE_MIN = 0.20  # the mass on negative-feeling emojis from which a message is negative ...
NEGATIVE_RATIO = 0.4  # ... when it is also at least this multiple of the mass on cheerful ones
WORD_WEIGHT = 0.5  # a word that names a feeling ("sad", "triste", "Angst") adds its match score times this
# In a sombre message's list, cheerful emojis wait until this many others are listed. Chosen on the feelings
# validation messages and the chat validation sets (whole runtime): at 1 (a 😂 second) 277 of the 2,713 non-upbeat
# messages showed a cheerful emoji in their first three, at 3 38 (those the model does not read as sombre); first
# fit unchanged, top 5 89.8 → 89.9 (3 more messages, none fewer), everyday unchanged, the chat sets' top 5 0.1 to
# 0.3 points lower (Russian: 4 of 1,238 comments); at 4 the everyday top 5 fell 2.2 points
CHEERFUL_AFTER = 3


@dataclass(frozen=True)
class Tone:
    negative: float  # model probability on NEGATIVE emojis
    cheerful: float  # model probability on CHEERFUL emojis
    laughter: bool  # the text laughs

    @property
    def sombre(self) -> bool:
        """Clearly negative and not laughing: no cheerful emoji may come first."""
        return (not self.laughter and self.negative >= NEGATIVE_MIN
                and self.negative >= NEGATIVE_RATIO * self.cheerful)


# A message's tone is read twice (the chat habits' guard, then the ranking): a few recent texts are
# remembered so that the second reading does not scan the text again (a keystroke, a bot update).
@lru_cache(maxsize=16)
def laughs(text: str) -> bool:
    """Whether the writer laughs: laughter written out in any of many languages, or a laughing emoji.

    >>> laughs("lol I fell off my bike"), laughs("jajaja qué vergüenza"), laughs("my cat is sick")
    (True, True, False)
    """
    return bool(_LAUGHTER.search(text)) or any(e in LAUGHING for _, _, e in find_emojis(text))


def tone(text: str, labels: list[str], probs: np.ndarray, keyword_scores: dict[str, float] | None = None) -> Tone:
    """The message's tone from the model's probabilities over `labels`, the words that name a
    feeling (`keyword_scores`, the lexicon's matches: the strongest negative and cheerful one
    each count) and the text itself."""
    negative_labels, cheerful_labels = _feeling_masks(tuple(labels))
    probs = np.asarray(probs, dtype=np.float64)
    negative, cheerful = float(probs[negative_labels].sum()), float(probs[cheerful_labels].sum())
    words = keyword_scores or {}
    negative += WORD_WEIGHT * max((s for e, s in words.items() if e in NAMED_NEGATIVE), default=0.0)
    cheerful += WORD_WEIGHT * max((s for e, s in words.items() if e in CHEERFUL), default=0.0)
    return Tone(negative=negative, cheerful=cheerful, laughter=laughs(text))


@lru_cache(maxsize=8)
def _feeling_masks(labels: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """[labels] which are NEGATIVE and which CHEERFUL: found once per label set, since every message
    is read twice (the chat habits' guard, then the ranking) and the labels never change."""
    return np.array([label in NEGATIVE for label in labels]), np.array([label in CHEERFUL for label in labels])


def agree(ranked: list[tuple[str, float]], message_tone: Tone, leads=None) -> list[tuple[str, float]]:
    """For a message that laughs, the best laughing emoji comes first: written laughter ("jajaja",
    "哈哈", "555") names 😂 as "sad" names 😢. For a sombre message, the best emoji that is not
    cheerful comes first (the others keep their order; see also cheerful_later). Otherwise
    unchanged. `leads`: the emojis that may come first (None: any), as only the model's own
    labels may."""
    if message_tone.laughter:
        fits = LAUGHING.__contains__
    elif message_tone.sombre:
        def fits(emoji: str) -> bool:
            return emoji not in CHEERFUL
    else:
        return ranked
    lead = next((item for item in ranked if fits(item[0]) and (leads is None or item[0] in leads)), None)
    return ranked if lead is None else [lead] + [item for item in ranked if item is not lead]


def cheerful_later(ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """A sombre message's list with its cheerful emojis waiting until CHEERFUL_AFTER emojis that
    are not cheerful are listed, the rest in order: a 😂 is still offered, people laugh at their
    troubles, but under "my dog died" only after three emojis of grief.

    >>> [e for e, _ in cheerful_later([("💔", .4), ("😂", .3), ("😆", .1), ("😢", .1), ("😭", .1)])]
    ['💔', '😢', '😭', '😂', '😆']
    """
    out, held, plain = [], [], 0
    for item in ranked:
        if item[0] in CHEERFUL and plain < CHEERFUL_AFTER:
            held.append(item)
            continue
        out.append(item)
        if item[0] not in CHEERFUL:
            plain += 1
            if plain == CHEERFUL_AFTER:
                out, held = out + held, []
    return out + held
