"""Bot settings: a TOML file (optional), then environment variables, checked in one dataclass.

Secrets (bot tokens, webhook secret, id salt) never appear in repr() or in error messages.
The TOML file uses the field names below; each field's environment variable is in ENV.
Both are read by assistant.core.settings, as the desktop helper's and the web demo's are.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from assistant.core import settings
from assistant.core.paths import user_data_dir

CONFIG_ENV = "EMOJI_ASSISTANT_BOT_CONFIG"  # path of a TOML file
SECRETS = ("telegram_token", "discord_token", "webhook_secret", "id_salt")


@dataclass
class BotConfig:
    telegram_token: str = field(default="", repr=False)  # from @BotFather
    discord_token: str = field(default="", repr=False)  # Developer Portal → Bot → Reset Token
    telegram_api_base_url: str = ""  # custom Bot API server, e.g. http://localhost:8081; "" = api.telegram.org
    webhook_url: str = ""  # public https:// URL → webhook mode; "" = long polling
    webhook_listen: str = "0.0.0.0"  # address the webhook server binds to
    webhook_port: int = 8443  # port the webhook server binds to (Telegram calls 443, 80, 88 or 8443)
    webhook_secret: str = field(default="", repr=False)  # checked on every webhook call; "" = none
    model: str = ""  # model folder; "" = $EMOJI_ASSISTANT_MODEL, else the shipped model
    threads: int = 1  # onnxruntime threads per inference call
    db: str = ""  # chat-log store; "" = default_db_path()
    id_salt: str = field(default="", repr=False)  # HMAC key for user/chat ids; "" = random, kept in <db>.salt
    collect: bool = True  # False: never store anything, consent commands say so
    retention_days: float = 180.0  # stored messages and labels older than this are deleted
    rate_limit: int = 20  # model calls per user per minute (a burst of this many is allowed)
    top_k: int = 5  # emojis per suggestion and inline results
    reload_check_s: float = 30.0  # seconds between checks for a new model (manifest.json or `current`); 0 = never
    telegram_admin_ids: tuple[int, ...] = ()  # Telegram user ids allowed to /reload
    discord_admin_ids: tuple[int, ...] = ()  # Discord user ids allowed to /reload
    discord_sync_commands: bool = True  # publish slash commands at startup (rate-limited by Discord)

    def __post_init__(self):
        self.telegram_admin_ids = tuple(int(i) for i in self.telegram_admin_ids)
        self.discord_admin_ids = tuple(int(i) for i in self.discord_admin_ids)
        self.telegram_api_base_url = self.telegram_api_base_url.rstrip("/")
        checks = [
            ("rate_limit", self.rate_limit >= 1, "at least 1"),
            ("top_k", 1 <= self.top_k <= 10, "between 1 and 10"),
            ("retention_days", self.retention_days > 0, "more than 0"),
            ("threads", self.threads >= 0, "0 (all cores) or more"),
            ("reload_check_s", self.reload_check_s >= 0, "0 (never) or more"),
            ("webhook_port", 1 <= self.webhook_port <= 65535, "a TCP port, 1 to 65535"),
            ("webhook_url", not self.webhook_url or self.webhook_url.startswith("https://"),
             "an https:// URL (Telegram only calls https webhooks)"),
            ("telegram_api_base_url", not self.telegram_api_base_url
             or self.telegram_api_base_url.startswith(("http://", "https://")), "an http:// or https:// URL"),
        ]
        for name, ok, rule in checks:
            if not ok:
                raise ValueError(f"{name} must be {rule}, got {getattr(self, name)!r}")

    @classmethod
    def load(cls, path: str | Path | None = None, env: Mapping[str, str] | None = None) -> BotConfig:
        """Defaults, then the TOML file (`path` or $EMOJI_ASSISTANT_BOT_CONFIG), then environment variables.

        Raises:
            SettingsError (a ValueError): the file or a variable cannot be used; one line says which.
        """
        env = os.environ if env is None else env
        return settings.load(cls, path=path or env.get(CONFIG_ENV) or None, env=env, env_names=ENV, secrets=SECRETS)

    def require(self, name: str) -> str:
        """The value of a secret the caller cannot run without; ValueError says where to set it."""
        value = getattr(self, name)
        if not value:
            raise ValueError(f"{name} is not set: export {ENV[name]}=... or put {name} = \"...\" in the "
                             f"TOML file named by {CONFIG_ENV}")
        return value

    def db_path(self) -> Path:
        return Path(self.db).expanduser() if self.db else default_db_path()


ENV = {f.name: f"EMOJI_ASSISTANT_{f.name.upper()}" for f in fields(BotConfig)}
ENV.update(telegram_token="TELEGRAM_BOT_TOKEN", discord_token="DISCORD_BOT_TOKEN",
           telegram_api_base_url="TELEGRAM_API_BASE_URL", webhook_url="TELEGRAM_WEBHOOK_URL",
           webhook_listen="TELEGRAM_WEBHOOK_LISTEN", webhook_port="TELEGRAM_WEBHOOK_PORT",
           webhook_secret="TELEGRAM_WEBHOOK_SECRET", model="EMOJI_ASSISTANT_MODEL", db="EMOJI_ASSISTANT_DB")


def default_db_path() -> Path:
    """$EMOJI_ASSISTANT_DB, else chatlogs.db in the platform's per-user data folder."""
    if os.environ.get("EMOJI_ASSISTANT_DB"):
        return Path(os.environ["EMOJI_ASSISTANT_DB"]).expanduser()
    return user_data_dir() / "chatlogs.db"


def id_salt(config: BotConfig) -> bytes:
    """The configured salt, else a random one created once next to the store (mode 0600).

    Losing the salt only unlinks stored data from its users (they count as not opted in),
    so a fresh random salt is a safe default; set id_salt to move a store between hosts.
    """
    if config.id_salt:
        return config.id_salt.encode()
    path = config.db_path().with_suffix(".salt")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # atomic and refuses to overwrite: two bots starting together share one salt
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_bytes().strip()
