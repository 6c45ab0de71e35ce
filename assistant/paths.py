"""Where things live: the shipped models, and the per-user data and config folders."""
from __future__ import annotations

import os
import sys
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


def user_data_dir() -> Path:
    """The platform's per-user data folder for this product (created by whoever writes there)."""
    return _user_dir(("LOCALAPPDATA", "AppData/Local"), ("XDG_DATA_HOME", ".local/share"))


def user_config_dir() -> Path:
    """The platform's per-user config folder for this product."""
    return _user_dir(("APPDATA", "AppData/Roaming"), ("XDG_CONFIG_HOME", ".config"))


def _user_dir(windows: tuple[str, str], xdg: tuple[str, str]) -> Path:
    """(environment variable, default under home) on Windows and on XDG systems; macOS has one place."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get(windows[0]) or home / windows[1])
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get(xdg[0]) or home / xdg[1])
    return base / "emoji-assistant"
