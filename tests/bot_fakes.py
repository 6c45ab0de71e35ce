"""Fakes at the bots' boundaries: an Assistant with fixed answers, and a core wired to a temporary store."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from assistant import Assistant, Result, Suggestion
from assistant.core.emojis import strip_emojis
from assistant.core.explain import explain_literal
from assistant.core.language import hint_languages
from assistant.core.lexicon import Lexicon
from bots.bot_core import BotCore
from bots.bot_settings import BotConfig
from bots.reload import ModelHolder
from bots.store import ChatLogStore

SUGGESTIONS = [("🍕", "pizza"), ("😋", "face savoring food"), ("❤️", "red heart"), ("🔥", "fire"),
               ("😂", "face with tears of joy")]


class FakeAssistant:
    """The Assistant verbs the bots call, with fixed suggestions and real lexicon explanations.

    Language: `lang` if given, else "es" for a message with "hola", else "en", or for a message
    without letters the hint's first language (as the real detector does). Every call's
    (verb, hint) is kept in `hints`.
    """

    is_emoji_only = staticmethod(Assistant.is_emoji_only)

    def __init__(self, model_dir: Path | str = ".", version: str = "1.0"):
        self.model_dir = Path(model_dir)
        self.manifest = SimpleNamespace(name="fake", version=version)
        self.texts: list[str] = []
        self.hints: list[tuple[str, object]] = []

    def detect_language(self, text, *, hint=None):
        self.hints.append(("detect_language", hint))
        return self._lang(text, hint)

    def suggest_batch(self, texts, k=5, lang=None, *, hint=None):
        self.texts.extend(texts)
        self.hints.append(("suggest_batch", hint))
        return [Result(t, lang or self._lang(t, hint),
                       [Suggestion(e, round(0.5 - i * 0.1, 2), n) for i, (e, n) in enumerate(SUGGESTIONS[:k])]
                       if t.strip() else []) for t in texts]

    def explain(self, text, lang=None, *, hint=None):
        self.hints.append(("explain", hint))
        return explain_literal(text, lang or self._lang(text, hint), Lexicon.load())

    @staticmethod
    def _lang(text, hint) -> str:
        if "hola" in text.lower():
            return "es"
        if any(ch.isalpha() for ch in strip_emojis(text)):
            return "en"
        return (hint_languages(hint) or ["en"])[0]


def make_core(db: Path, *, assistant=None, store: bool = True, **settings) -> BotCore:
    """A BotCore on a FakeAssistant (or the one given) and a fresh store at `db`."""
    settings = {"reload_check_s": 0, **settings}  # no background watcher unless a test asks for one
    config = BotConfig(telegram_token="123456:TEST-TOKEN", discord_token="discord-test-token", db=str(db),
                       id_salt="test-salt", **settings)
    holder = ModelHolder(lambda: assistant or FakeAssistant())
    chat_store = ChatLogStore(db, salt=b"test-salt", retention_days=config.retention_days) if store else None
    return BotCore(holder, chat_store, config)


def rows_mentioning(store: ChatLogStore, *needles: str) -> list[tuple[str, dict]]:
    """(table, row) for every row of every table in which any cell contains one of `needles`."""
    found = []
    for table in store.db.table_names():
        for row in store.db[table].rows:
            if any(n in str(value) for value in row.values() for n in needles):
                found.append((table, row))
    return found
