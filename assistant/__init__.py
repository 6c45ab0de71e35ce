"""Multilingual emoji assistant: suggests emojis that fit a message.

>>> from assistant import Assistant
>>> Assistant().suggest("Me encanta la paella", k=3)  # doctest: +SKIP
[Suggestion(emoji='🥘', ...), ...]
"""
from .assistant import Assistant, Result, Suggestion
from .errors import AssistantError, InputError, ModelError

__all__ = ["Assistant", "AssistantError", "InputError", "ModelError", "Result", "Suggestion"]
__version__ = "0.1.0"
