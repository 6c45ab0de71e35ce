"""The runtime core: text in, ranked emojis and explained emojis out. It knows no surface.

This package's namespace is the core's public API; the surfaces (assistant.cli, assistant.web,
assistant.desktop, bots) import it and these public modules, never the modules behind them
(the import contracts in pyproject.toml hold them to it):
    errors.py         AssistantError and its subclasses (also exported here)
    emojis.py         what an emoji is, its canonical form, finding emojis in text
    paths.py          the shipped models, the runtime's data files, per-user folders
    settings.py       a surface's settings dataclass from defaults, a TOML file and the environment
    ratelimit.py      per-caller token buckets
    closed_set.py     closed-set top-1 / top-5 / macro-F1 of a labelled file (`emoji-assistant eval`)
    suggest_bench.py  cold start, latency and throughput of suggest() (`emoji-assistant bench`)
    versions.py       versioned model folders: versions/, an atomically switched `current`, history
    holder.py         ModelHolder: the Assistant of the current model, swapped when a new one appears

Behind the API, in the order a message goes through them:
    normalize.py   text → normalized text
    language.py    the message's language, offline (text.py: words, scripts, language codes;
                   wordlists.py: how common a word is)
    tokenizer.py   normalized text → input arrays (settings from the manifest)
    session.py     arrays → scores (the only onnxruntime import)
    rank.py        scores + lexicon keyword matches (lexicon.py) + the message's tone
                   (feelings.py) + a popularity prior (popularity.py) → ranked suggestions
    explain/       what each emoji stands for (sentiment.py: the Emoji Sentiment Ranking)
    shortcodes.py  shortcode terms → emojis
    manifest.py    load and check a model folder's manifest.json
    assistant.py   Assistant: the verbs (suggest, explain, detect_language, shortcodes, ...)

>>> from assistant.core import Assistant
>>> Assistant().suggest("Me encanta la paella", k=3)  # doctest: +SKIP
[Suggestion(emoji='🥘', ...), ...]
"""
from .assistant import Assistant, Result, Suggestion
from .errors import AssistantError, InputError, ModelError
from .explain import EmojiExplanation, Explanation, Reading
from .settings import SettingsError
from .shortcodes import ShortcodeIndex

__all__ = ["Assistant", "AssistantError", "EmojiExplanation", "Explanation", "InputError", "ModelError", "Reading",
           "Result", "SettingsError", "ShortcodeIndex", "Suggestion"]
