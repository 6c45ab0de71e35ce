"""Where each emoji sits in a message: the letters glued to it, the words around it, its position.

Words are assistant.core.text's: runs of letters and combining marks, so a Hindi word next to an
emoji stays one word ("नमस्ते🙏" glues all of नमस्ते, not its last letter). A word starts at a
letter: a variation selector (U+FE0F, a combining mark) left after an emoji is no word.
Chinese and Japanese, written without spaces, take the neighbouring character as the word.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from ..emojis import find_emojis
from ..text import EMOJI_MARKS, fold, is_cjk, letters_pattern

WINDOW = 40  # characters looked at on each side of an emoji for its neighbouring words
_SPACES = re.compile(r"[ \t]+")  # what may stand between a split pun's emoji and its word ("🐝 leaf")


@dataclass
class Site:
    """One emoji in a message and what surrounds it."""
    start: int
    end: int
    emojis: list[str]
    left: str  # letters glued to the emoji on the left ("" if none)
    right: str  # letters glued on the right
    before: str  # the word before the emoji (Chinese/Japanese: the character), folded
    after: str  # the word after it
    position: dict[str, float]  # position features shared by every candidate (features.POSITION)
    apart_before: tuple[str, int] = ("", 0)  # the word written just before, one space apart (folded), its start
    apart_after: tuple[str, int] = ("", 0)  # the word written just after, one space apart, and its end


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def _in_word(ch: str) -> bool:
    """A letter or a word's combining mark, and not an emoji ("ℹ" is a letter and an emoji)."""
    return (ch.isalpha() or (_is_mark(ch) and ch not in EMOJI_MARKS)) and not find_emojis(ch)


def is_letter(ch: str) -> bool:
    """A character a word can start with: a letter, not a combining mark, not an emoji."""
    if not ch.isalpha() and (_is_mark(ch) or not letters_pattern().fullmatch(ch)):  # isalpha first: it is cheap
        return False
    return not find_emojis(ch)


def word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every word of `text` (assistant.core.text's pattern, starting at a letter)."""
    out = []
    for m in letters_pattern().finditer(text):
        start = m.start()
        while start < m.end() and _is_mark(text[start]):
            start += 1
        if start < m.end():
            out.append((start, m.end()))
    return out


def glued(text: str, start: int, end: int) -> tuple[str, str]:
    """The letters glued to text[start:end] on the left and on the right ("" where none)."""
    left = start
    while left > 0 and _in_word(text[left - 1]):
        left -= 1
    while left < start and _is_mark(text[left]):  # a word starts at a letter
        left += 1
    right = end
    if right < len(text) and is_letter(text[right]):
        while right < len(text) and _in_word(text[right]):
            right += 1
    return text[left:start], text[end:right]


def neighbours(text: str, start: int, end: int) -> tuple[str, str]:
    """The word (CJK: the character) right before `start` and right after `end`, folded."""
    lo = max(0, start - WINDOW)
    before, after = word_spans(text[lo:start]), word_spans(text[end:end + WINDOW])
    left = text[lo + before[-1][0]:lo + before[-1][1]] if before else ""
    right = text[end + after[0][0]:end + after[0][1]] if after else ""
    left = left[-1] if left and is_cjk(left[-1]) else left
    right = right[0] if right and is_cjk(right[0]) else right
    return fold(left), fold(right)


def apart(text: str, start: int, end: int) -> tuple[tuple[str, int], tuple[str, int]]:
    """The words written just before and after text[start:end], a run of spaces away:
    ((word folded, its start), (word folded, its end)); ("", 0) where there is none."""
    lo = max(0, start - WINDOW)
    window = text[lo:start]
    stripped = window.rstrip(" \t")
    before = ("", 0)
    if len(stripped) < len(window):
        last = word_spans(stripped)[-1:]
        if last and last[0][1] == len(stripped):
            before = (fold(stripped[last[0][0]:]), lo + last[0][0])
    after = ("", 0)
    spaces = _SPACES.match(text, end)
    if spaces and spaces.end() < len(text) and is_letter(text[spaces.end()]):
        word = letters_pattern().match(text, spaces.end())
        after = (fold(word.group()), word.end())
    return before, after


def find_sites(text: str, found: list[tuple[int, int, str]]) -> list[Site]:
    """Every emoji of `text` (the `found` list of find_emojis) with its surroundings."""
    count = len([w for w in text.split() if any(is_letter(c) for c in w)])
    out = []
    for i, (start, end, emoji) in enumerate(found):
        left, right = glued(text, start, end)
        before, after = text[:start], text[end:]
        in_run = (i > 0 and found[i - 1][1] == start) or (i + 1 < len(found) and found[i + 1][0] == end)
        position = {
            "attached": float(bool(left or right)),
            "in_run": float(in_run),
            "at_end": float(not any(is_letter(c) for c in after)),
            "at_start": float(not any(is_letter(c) for c in before)),
            "alone": float(count == 0),
            "words": math.log1p(count) / 4,
        }
        word_start, word_end = start - len(left), end + len(right)
        out.append(Site(start, end, [emoji], left, right, *neighbours(text, word_start, word_end), position,
                        *apart(text, word_start, word_end)))
    return out
