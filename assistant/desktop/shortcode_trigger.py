"""Shortcodes as they are typed: ":pizza" just before the cursor, then the trigger (":", Tab or space).

Which emoji a term names is the core's (Assistant.shortcodes); this module only finds the term.
"""
from __future__ import annotations

import re

SHORTCODE = re.compile(r":([^\s:]{2,40})(:|\s)?$")  # ":pizza" just before the cursor, then the trigger


def find_shortcode(before_cursor: str, trigger: str) -> tuple[str, int] | None:
    """(term, characters to replace) if the text before the cursor ends with a shortcode and `trigger`."""
    match = SHORTCODE.search(before_cursor)
    if not match or match.group(2) is None or match.group(2) != trigger:
        return None
    return match.group(1), len(match.group(0))
