"""TypingBuffer: the sentence being typed, mirrored from key events.

It mirrors what a text field does with the same keys: characters go in at the cursor,
Backspace and Delete remove a whole user-perceived character (an emoji with its skin tone
or ZWJ parts, a letter with its accents), the arrow/Home/End keys move the cursor, a dead
key waits for the next letter and composes with it ("´" then "e" → "é"), and an input
method's committed text ("你好") arrives as one insert. Enter, Escape, a click or a focus
change start a new sentence. It lives in memory only and is never written anywhere.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_CHARS = 400  # older text is dropped: suggestions only need the recent sentence
SENTENCE_END = re.compile(r"[.!?。！？…]+[\s\"')»”]*")  # the last sentence starts after one of these
ZWJ, VS16 = "\u200d", "\ufe0f"
SPACING = {  # combining mark → the accent a dead key types when followed by space
    "\u0300": "`", "\u0301": "´", "\u0302": "^", "\u0303": "~", "\u0304": "¯", "\u0306": "˘", "\u0307": "˙",
    "\u0308": "¨", "\u030a": "˚", "\u030b": "˝", "\u030c": "ˇ", "\u0327": "¸", "\u0328": "˛",
}


def _extends(ch: str) -> bool:
    """Code points that belong to the character before them."""
    cp = ord(ch)
    return (unicodedata.combining(ch) != 0 or unicodedata.category(ch) in ("Mn", "Me")
            or ch in (ZWJ, VS16, "\ufe0e", "\u20e3") or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F)


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def grapheme_start(text: str, end: int) -> int:
    """Index where the user-perceived character ending at `end` starts."""
    i = end - 1
    if i < 0:
        return 0
    while True:
        while i > 0 and _extends(text[i]):
            i -= 1
        if i > 0 and text[i - 1] == ZWJ:  # 👩‍👩‍👧: jump over the joiner to the previous part
            i -= 2
            continue
        break
    if _is_regional(text[i]):  # flags are pairs of regional indicators
        run = i
        while run > 0 and _is_regional(text[run - 1]):
            run -= 1
        if (i - run) % 2 == 1:
            i -= 1
    return max(i, 0)


def grapheme_end(text: str, start: int) -> int:
    """Index just after the user-perceived character starting at `start`."""
    if start >= len(text):
        return len(text)
    j = start + 1
    if _is_regional(text[start]) and j < len(text) and _is_regional(text[j]):
        j += 1
    while j < len(text):
        if _extends(text[j]):
            j += 1
        elif text[j - 1] == ZWJ:
            j += 1
        else:
            break
    return j


@dataclass
class TypingBuffer:
    text: str = ""
    cursor: int = 0              # index into text
    dead: str | None = None      # combining mark of a pressed dead key, waiting for a letter

    def insert(self, chars: str) -> None:
        """Characters typed or committed by an input method, at the cursor."""
        if not chars:
            return
        if self.dead:
            composed = unicodedata.normalize("NFC", chars[0] + self.dead)
            if chars[0] == " ":  # dead key then space gives the accent itself, as X and Windows do
                composed = SPACING.get(self.dead, self.dead)
            chars = composed + chars[1:]
            self.dead = None
        self.text = self.text[:self.cursor] + chars + self.text[self.cursor:]
        self.cursor += len(chars)
        if len(self.text) > MAX_CHARS:
            cut = len(self.text) - MAX_CHARS
            self.text, self.cursor = self.text[cut:], max(0, self.cursor - cut)

    def dead_key(self, mark: str) -> None:
        """A dead key: `mark` is its combining character (U+0301 for an acute accent)."""
        if self.dead:  # two dead keys in a row: the first one is typed as is
            self.insert(" ")
        self.dead = mark

    def backspace(self) -> None:
        if self.dead:
            self.dead = None
            return
        start = grapheme_start(self.text, self.cursor)
        self.text, self.cursor = self.text[:start] + self.text[self.cursor:], start

    def delete(self) -> None:
        end = grapheme_end(self.text, self.cursor)
        self.text = self.text[:self.cursor] + self.text[end:]

    def move(self, where: str) -> None:
        """Cursor keys: "left", "right", "home", "end"."""
        self.dead = None
        if where == "left":
            self.cursor = grapheme_start(self.text, self.cursor)
        elif where == "right":
            self.cursor = grapheme_end(self.text, self.cursor)
        elif where == "home":
            self.cursor = 0
        elif where == "end":
            self.cursor = len(self.text)

    def reset(self) -> None:
        self.text, self.cursor, self.dead = "", 0, None

    def sentence(self) -> str:
        """The sentence being typed: from the last sentence end before the cursor up to it."""
        before = self.text[:self.cursor]
        ends = list(SENTENCE_END.finditer(before))
        if ends and ends[-1].end() == len(before):  # "Good night." → still about that sentence
            ends.pop()
        start = ends[-1].end() if ends else 0
        return before[start:].strip()

    def replace_before_cursor(self, count: int, chars: str) -> None:
        """Replace the `count` characters before the cursor (a shortcode) by `chars`."""
        start = max(0, self.cursor - count)
        self.text = self.text[:start] + chars + self.text[self.cursor:]
        self.cursor = start + len(chars)
