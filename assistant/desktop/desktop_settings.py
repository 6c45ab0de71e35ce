"""DesktopConfig: hotkeys, timings, languages and privacy switches, from a TOML file (read by assistant.core.settings)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistant.core import InputError, settings
from assistant.core.paths import user_config_dir

from .keys import Hotkey

SHORTCODE_TRIGGERS = (":", "tab", "space")
DEFAULT_BLOCKLIST = [  # WM_CLASS substrings, case-insensitive: password managers and terminals
    "keepass", "1password", "bitwarden", "lastpass", "pinentry", "seahorse",
    "terminal", "xterm", "konsole", "alacritty", "kitty", "tilix", "terminator", "wezterm",
]


@dataclass
class DesktopConfig:
    top_k: int = 5                       # suggestions in the popup (the pick hotkeys go up to 9)
    debounce_ms: int = 250               # quiet time after the last key before suggesting
    min_chars: int = 3                   # letters typed before the first suggestion
    popup_timeout_s: float = 4.0         # the popup hides itself after this long
    languages: list[str] = field(default_factory=list)  # e.g. ["de", "en"]; [] = detect, any language
    pick_modifier: str = "alt"           # <pick_modifier>+1 … +top_k type the suggestion
    pause_hotkey: str = "<ctrl>+<alt>+e"  # toggles listening on and off
    shortcodes: bool = True              # ":pizza" + trigger → 🍕, localized keywords included
    shortcode_trigger: str = ":"         # ":" (":pizza:"), "tab" or "space"
    blocklist: list[str] = field(default_factory=lambda: list(DEFAULT_BLOCKLIST))
    remember_picks: bool = False         # opt-in: count accepted emojis (never text) to rank favourites up
    model: str | None = None             # model folder or versioned root; default: the shipped one
    reload_check_s: float = 30.0         # seconds between checks for a new model (a promotion); 0 = never

    def __post_init__(self):
        if not 1 <= self.top_k <= 9:
            raise ValueError(f"top_k must be 1 to 9 (one pick hotkey per digit), got {self.top_k}")
        if not 0 <= self.debounce_ms <= 5000:
            raise ValueError(f"debounce_ms must be 0 to 5000, got {self.debounce_ms}")
        if self.min_chars < 1:
            raise ValueError(f"min_chars must be at least 1, got {self.min_chars}")
        if self.reload_check_s < 0:
            raise ValueError(f"reload_check_s must be 0 (never) or more seconds, got {self.reload_check_s}")
        if self.popup_timeout_s <= 0:
            raise ValueError(f"popup_timeout_s must be positive, got {self.popup_timeout_s}")
        if self.pick_modifier not in ("alt", "ctrl", "cmd", "super"):
            raise ValueError(f"pick_modifier must be alt, ctrl, cmd or super, got {self.pick_modifier!r}")
        if self.shortcode_trigger not in SHORTCODE_TRIGGERS:
            raise ValueError(f"shortcode_trigger must be one of {', '.join(SHORTCODE_TRIGGERS)}, "
                             f"got {self.shortcode_trigger!r}")
        Hotkey.parse(self.pause_hotkey)  # raises ValueError naming the hotkey
        self.pick_modifier = "cmd" if self.pick_modifier == "super" else self.pick_modifier
        self.languages = [str(code) for code in self.languages]
        self.blocklist = [str(name).casefold() for name in self.blocklist]

    def user_languages(self) -> list[str]:
        """The configured languages, else the system locale's: what shortcodes and warm-up cover."""
        return self.languages or [locale_language()]

    @classmethod
    def load(cls, path: str | Path | None = None) -> DesktopConfig:
        """Settings from `path` (default: desktop.toml in the user config folder, if it exists).

        Raises:
            InputError: the file is unreadable, not TOML, has an unknown key or a bad value.
        """
        explicit = path is not None
        path = Path(path) if explicit else default_config_path()
        if not path.exists():
            if explicit:
                raise InputError(f"desktop config {path} not found; create it or leave --config out")
            return cls()
        return settings.load(cls, path=path)


def locale_language() -> str:
    import locale
    import os

    code = (locale.getlocale()[0] or os.environ.get("LANG") or "en").split("_")[0].split(".")[0]
    return code if code and code not in ("C", "POSIX") else "en"


def default_config_path() -> Path:
    return user_config_dir() / "desktop.toml"
