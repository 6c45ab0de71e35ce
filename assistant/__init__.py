"""Multilingual emoji assistant: suggests emojis that fit a message.

The library's API is the runtime core's (assistant.core); the command line (assistant.cli),
the web demo (assistant.web) and the desktop helper (assistant.desktop) are surfaces over it.

>>> from assistant import Assistant
>>> Assistant().suggest("Me encanta la paella", k=3)  # doctest: +SKIP
[Suggestion(emoji='🥘', ...), ...]
"""
from .core import Assistant, AssistantError, InputError, ModelError, Result, Suggestion

__all__ = ["Assistant", "AssistantError", "InputError", "ModelError", "Result", "Suggestion"]
__version__ = "0.1.0"
