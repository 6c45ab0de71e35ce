"""The errors the library raises. Each says what was expected, what was found, and what to try."""
from __future__ import annotations


class AssistantError(Exception):
    """Base class: anything the assistant reports to a user as one line."""


class ModelError(AssistantError):
    """A model folder is missing, truncated, altered or of a format this version cannot read."""


class InputError(AssistantError):
    """A data file or argument cannot be used (unreadable file, unknown language, bad number)."""
