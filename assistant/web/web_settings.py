"""WebSettings: where the web demo listens and what it logs; a TOML file, the environment, then flags.

Kept apart from server.py so that `emoji-assistant web --help` can show the defaults without
the web extra (Starlette, uvicorn) installed.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from assistant.core import settings

CONFIG_ENV = "EMOJI_ASSISTANT_WEB_CONFIG"  # path of a TOML file with the field names below
ENV = {"host": "EMOJI_ASSISTANT_WEB_HOST", "port": "EMOJI_ASSISTANT_WEB_PORT", "model": "EMOJI_ASSISTANT_MODEL",
       "log_texts": "EMOJI_ASSISTANT_WEB_LOG_TEXTS", "reload_check_s": "EMOJI_ASSISTANT_RELOAD_CHECK_S"}


@dataclass
class WebSettings:
    host: str = "127.0.0.1"  # loopback: only this computer can reach the demo
    port: int = 7860  # TCP port
    model: str | None = None  # model folder or versioned root; None: the shipped model
    log_texts: bool = False  # also log what people type (off: only length, language and timing)
    reload_check_s: float = 30.0  # seconds between checks for a new model (manifest.json or `current`); 0 = never

    def __post_init__(self):
        if not 1 <= self.port <= 65535:
            raise ValueError(f"port must be a TCP port, 1 to 65535, got {self.port}")
        if self.reload_check_s < 0:
            raise ValueError(f"reload_check_s must be 0 (never) or more seconds, got {self.reload_check_s}")
        if not self.host.strip():
            raise ValueError("host must be an address such as 127.0.0.1, got ''")

    @classmethod
    def load(cls, path: str | Path | None = None, env: Mapping[str, str] | None = None) -> WebSettings:
        """Defaults, then the TOML file (`path` or $EMOJI_ASSISTANT_WEB_CONFIG), then environment variables.

        Raises:
            SettingsError: the file or a variable cannot be used; one line says which.
        """
        env = os.environ if env is None else env
        return settings.load(cls, path=path or env.get(CONFIG_ENV) or None, env=env, env_names=ENV)

    def with_flags(self, **flags) -> WebSettings:
        """These settings with the command-line flags that were given (None: left out) on top.

        >>> WebSettings().with_flags(port=8000, host=None).port
        8000
        """
        given = {name: value for name, value in flags.items() if value is not None}
        try:
            return dataclasses.replace(self, **given)
        except ValueError as err:
            raise settings.SettingsError(f"{err} (from the command line)") from None
