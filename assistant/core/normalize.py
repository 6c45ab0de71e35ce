"""Raw user text → the normalised text that both training and the runtime feed the model.

Tweets in the training sets have user names replaced by "@user" and links removed;
chat messages get the same treatment so the model sees what it was trained on.
Anything a user can paste (control characters, lone surrogates, a megabyte of text)
comes out as a bounded, valid string.
"""
from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 2000  # longer text is cut: the model reads at most max_length tokens anyway

_URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@\w+")
_SPACE = re.compile(r"\s+")
# Keep ZWJ (U+200D), variation selectors and tags that build emoji sequences;
# drop other format/control characters (bidi marks, NULs, escapes).
_KEEP_FORMAT = {"\u200d", "\ufe0f", "\ufe0e"}


def _drop_controls(text: str) -> str:
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat == "Cc":
            out.append(" ")
        elif cat == "Cf" and ch not in _KEEP_FORMAT and not ("\U000e0020" <= ch <= "\U000e007f"):
            continue
        else:
            out.append(ch)
    return "".join(out)


def fix_surrogates(text: str) -> str:
    """Replace lone surrogates (which cannot be encoded as UTF-8) with U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def normalize_text(text: str, *, max_chars: int = MAX_CHARS) -> str:
    """Return `text` cleaned for the model.

    >>> normalize_text("Hi @anna\\x00 look https://x.co/a  🍕")
    'Hi @user look http 🍕'
    """
    text = fix_surrogates(text[: max_chars * 2])
    text = _drop_controls(text)
    text = _URL.sub("http", text)
    text = _MENTION.sub("@user", text)
    return _SPACE.sub(" ", text).strip()[:max_chars]
