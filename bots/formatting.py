"""Assistant results → plain chat text (no markup, so user text never needs escaping)."""
from __future__ import annotations

import json

from .i18n import t

MAX_EXPLAINED = 20  # emojis explained per message; keeps a reply under Telegram's 4,096 and Discord's 2,000 chars
MAX_KEYWORDS = 5


def suggestions_text(result, ui_lang: str) -> str:
    """A Result (text, lang, suggestions) as a header plus one "emoji  name" line each."""
    if not result.suggestions:
        return t("no_suggestions", ui_lang)
    lines = [f"{s.emoji}  {s.name}" if s.name else s.emoji for s in result.suggestions]
    return "\n".join([t("suggestions", ui_lang, language=result.lang), *lines])


def explanation_text(explanation, ui_lang: str) -> str:
    """One line per emoji: local name (English name) · keywords · sentiment."""
    if not explanation.emojis:
        return t("no_emojis", ui_lang)
    lines = []
    for e in explanation.emojis[:MAX_EXPLAINED]:
        names = list(dict.fromkeys(n for n in e.name.values() if n))  # local first, English once
        line = e.emoji
        if names:
            line += f"  {names[0]}" + (f" ({names[1]})" if len(names) > 1 else "")
        if e.keywords:
            line += " · " + ", ".join(e.keywords[:MAX_KEYWORDS])
        if e.sentiment is not None:
            line += f" · {e.sentiment:+.2f}"
        lines.append(line)
    if len(explanation.emojis) > MAX_EXPLAINED:
        lines.append(f"… +{len(explanation.emojis) - MAX_EXPLAINED}")
    return "\n".join(lines)


def with_emoji(text: str, emoji: str) -> str:
    """The message an inline result or a suggestion inserts: the text, then the chosen emoji."""
    return f"{text.rstrip()} {emoji}"


def user_data_file(data: dict) -> bytes:
    """ChatLogStore.user_data as the readable UTF-8 JSON file a user receives from /mydata."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
