"""What both bot commands do before their platform takes over: arguments, config, logging, core.

The only bots module that prints: a setup error is one line on stderr and exit status 2.
"""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Callable

from assistant.core import AssistantError

from .bot_core import BotCore, build_core
from .bot_settings import CONFIG_ENV, SECRETS, BotConfig
from .store import StoreError


class RedactSecrets(logging.Filter):
    """Replaces configured secrets in every log record, whichever library logs them (httpx logs URLs)."""

    def __init__(self, secrets: list[str]):
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(s in message for s in self.secrets):
            for s in self.secrets:
                message = message.replace(s, "<hidden>")
            record.msg, record.args = message, None
        return True


def configure_logging(config: BotConfig, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets([getattr(config, name) for name in SECRETS]))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per Bot API call is noise


def run_bot(prog: str, argv: list[str] | None, token: str, run: Callable[[BotCore, BotConfig], None]) -> int:
    """Parse --config, load settings, check `token` is set, load model and store, then `run` until stopped."""
    parser = argparse.ArgumentParser(prog=prog, description="Emoji suggestions in chat; settings from "
                                     "environment variables or a TOML file (see the README).")
    parser.add_argument("--config", metavar="FILE", help=f"TOML settings file (default: ${CONFIG_ENV})")
    args = parser.parse_args(argv)
    try:
        config = BotConfig.load(args.config)
        config.require(token)
        configure_logging(config)
        run(build_core(config), config)
    except (ValueError, AssistantError, StoreError) as err:
        print(f"{prog}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
