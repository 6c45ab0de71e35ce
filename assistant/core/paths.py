"""Where things live: the shipped models, the runtime's data files, and the per-user data and config folders."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import platformdirs

APP = "emoji-assistant"
DEFAULT_MODEL = "emoji-predictor"


def models_dir() -> Path:
    """`models/` of the checkout, installed as the package `assistant.core.models`."""
    try:
        return Path(str(resources.files("assistant.core.models")))
    except ModuleNotFoundError:  # running from a source tree that was never installed
        return Path(__file__).resolve().parents[2] / "models"


def default_model_dir() -> Path:
    return models_dir() / DEFAULT_MODEL


def data_file(*parts: str):
    """A file of the runtime's data folder (assistant/core/data: lexicon, popularity prior, word lists),
    as an importlib.resources Traversable: it is read in place, also from a zip or wheel."""
    return resources.files("assistant.core").joinpath("data", *parts)


def user_data_dir() -> Path:
    """The platform's per-user data folder for this product (created by whoever writes there).

    Linux: $XDG_DATA_HOME/emoji-assistant, else ~/.local/share/emoji-assistant; macOS:
    ~/Library/Application Support/emoji-assistant; Windows: %LOCALAPPDATA%\\emoji-assistant.
    """
    # appauthor=False: no publisher folder above ours on Windows (AppData\Local\emoji-assistant).
    return Path(platformdirs.PlatformDirs(APP, appauthor=False).user_data_dir)


def user_config_dir() -> Path:
    """The platform's per-user config folder for this product.

    Linux: $XDG_CONFIG_HOME/emoji-assistant, else ~/.config/emoji-assistant; macOS:
    ~/Library/Application Support/emoji-assistant; Windows: %APPDATA%\\emoji-assistant.
    """
    # roaming: settings follow a Windows user from machine to machine (AppData\Roaming), data stays local.
    return Path(platformdirs.PlatformDirs(APP, appauthor=False, roaming=True).user_config_dir)
