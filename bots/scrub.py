"""Personal data out of a chat message before it is stored: e-mail, URL, @mention, phone number.

Each match becomes a placeholder (``<email>``, ``<url>``, ``@user``, ``<phone>``, ``<number>``)
so a training example keeps its shape. The rules err on the side of removing too much:
a long price or an IP address may become ``<phone>``, which costs a training example
nothing, while a phone number left in would be a leak.
"""
from __future__ import annotations

import re

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(
    r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)\S+"  # anything with a scheme, or www.
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/\S*"  # domain/path (t.me/x, discord.gg/x)
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|co|me|gg|ly|app|dev|info|xyz|ru|de|fr|es|it|uk|cn|jp|br)\b",
    re.IGNORECASE)
_MENTION = re.compile(r"<@[!&]?\d+>|<#\d+>|(?<![\w@])@\w{2,32}")  # Discord <@id>, <#channel>; Telegram @name
_DIGITS = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().\-/]{5,}\d(?!\w)")
_DATE = re.compile(r"\d{1,4}([./-])\d{1,2}\1\d{1,4}")  # 23.11.2026, 2026-11-23: kept
MIN_PHONE_DIGITS = 7  # shorter digit runs are counts, years, scores
MAX_PHONE_DIGITS = 15  # E.164; longer runs are card or account numbers


def _digits(match: re.Match) -> str:
    run = match.group(0)
    count = sum(ch.isdigit() for ch in run)
    if count < MIN_PHONE_DIGITS or _DATE.fullmatch(run.strip()):
        return run
    return "<phone>" if count <= MAX_PHONE_DIGITS else "<number>"


def scrub(text: str) -> str:
    """`text` with e-mail addresses, URLs, mentions and phone/card numbers replaced.

    >>> scrub("Mail jane@example.org or call +49 170 1234567 😊 @bob")
    'Mail <email> or call <phone> 😊 @user'
    """
    text = _EMAIL.sub("<email>", text)  # before URLs: an address contains a domain
    text = _URL.sub("<url>", text)
    text = _MENTION.sub("@user", text)
    return _DIGITS.sub(_digits, text)
