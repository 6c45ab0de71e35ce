"""Where the shipped model lives, installed or in a source checkout."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

DEFAULT_MODEL = "emoji-predictor"


def models_dir() -> Path:
    """`models/` of the checkout, installed as the package `assistant.models`."""
    try:
        return Path(str(resources.files("assistant.models")))
    except ModuleNotFoundError:  # running from a source tree that was never installed
        return Path(__file__).resolve().parent.parent / "models"


def default_model_dir() -> Path:
    return models_dir() / DEFAULT_MODEL
