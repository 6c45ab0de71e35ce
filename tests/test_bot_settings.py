import logging
import os
import stat

import pytest

from bots.bot_settings import BotConfig, default_db_path, id_salt
from bots.runner import RedactSecrets


def test_environment_overrides_the_toml_file(tmp_path):
    toml = tmp_path / "bot.toml"
    toml.write_text('telegram_token = "111:FROMFILE"\nrate_limit = 5\nretention_days = 30\n'
                    'telegram_admin_ids = [1, 2]\ncollect = false\n', encoding="utf-8")
    config = BotConfig.load(toml, env={"TELEGRAM_BOT_TOKEN": "222:FROMENV", "EMOJI_ASSISTANT_RATE_LIMIT": "9",
                                       "TELEGRAM_API_BASE_URL": "http://localhost:8081/",
                                       "EMOJI_ASSISTANT_DISCORD_ADMIN_IDS": "5, 6"})
    assert config.telegram_token == "222:FROMENV" and config.rate_limit == 9 and config.retention_days == 30.0
    assert config.telegram_admin_ids == (1, 2) and config.discord_admin_ids == (5, 6) and config.collect is False
    assert config.telegram_api_base_url == "http://localhost:8081"


def test_the_config_file_can_come_from_the_environment(tmp_path):
    toml = tmp_path / "bot.toml"
    toml.write_text('top_k = 3\n', encoding="utf-8")
    assert BotConfig.load(env={"EMOJI_ASSISTANT_BOT_CONFIG": str(toml)}).top_k == 3


def test_secrets_never_show_in_repr_or_errors(tmp_path):
    config = BotConfig(telegram_token="123:SECRET", discord_token="DSECRET", webhook_secret="WSECRET",
                       id_salt="SALT")
    assert not any(s in repr(config) for s in ("SECRET", "DSECRET", "WSECRET", "SALT"))
    with pytest.raises(ValueError) as err:
        BotConfig.load(env={"TELEGRAM_WEBHOOK_PORT": "x", "TELEGRAM_BOT_TOKEN": "123:SECRET"})
    assert "SECRET" not in str(err.value)
    toml = tmp_path / "bad.toml"
    toml.write_text('discord_token = 12345\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"discord_token in .* must be text, got \(hidden\)"):
        BotConfig.load(toml, env={})


@pytest.mark.parametrize("env, message", [
    ({"EMOJI_ASSISTANT_RATE_LIMIT": "0"}, "rate_limit must be at least 1, got 0 (from EMOJI_ASSISTANT_RATE_LIMIT)"),
    ({"EMOJI_ASSISTANT_RATE_LIMIT": "many"}, "EMOJI_ASSISTANT_RATE_LIMIT must be a whole number, got 'many'"),
    ({"EMOJI_ASSISTANT_COLLECT": "maybe"}, "EMOJI_ASSISTANT_COLLECT must be true or false (or yes/no, on/off, "
                                           "1/0), got 'maybe'"),
    ({"TELEGRAM_WEBHOOK_URL": "http://insecure"}, "https:// URL"),
    ({"TELEGRAM_API_BASE_URL": "localhost:8081"}, "http:// or https:// URL"),
])
def test_bad_values_are_named(env, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        BotConfig.load(env=env)


def test_unknown_toml_keys_get_a_suggestion(tmp_path):
    toml = tmp_path / "typo.toml"
    toml.write_text('rate_limt = 3\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown setting 'rate_limt'; did you mean 'rate_limit'"):
        BotConfig.load(toml, env={})


def test_require_says_where_to_set_a_missing_token():
    with pytest.raises(ValueError, match="export TELEGRAM_BOT_TOKEN=... or put telegram_token"):
        BotConfig().require("telegram_token")


def test_default_db_path_follows_platform_conventions(monkeypatch, tmp_path):
    monkeypatch.delenv("EMOJI_ASSISTANT_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setattr("sys.platform", "linux")
    assert default_db_path() == tmp_path / "emoji-assistant" / "chatlogs.db"
    monkeypatch.setenv("EMOJI_ASSISTANT_DB", str(tmp_path / "x.db"))
    assert default_db_path() == tmp_path / "x.db"


def test_a_random_salt_is_created_once_and_kept_private(tmp_path):
    config = BotConfig(db=str(tmp_path / "logs.db"))
    first = id_salt(config)
    assert first == id_salt(config) and len(first) == 64
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / "logs.salt").stat().st_mode) == 0o600
    assert id_salt(BotConfig(db=str(tmp_path / "logs.db"), id_salt="fixed")) == b"fixed"


def test_log_records_never_contain_a_token():
    url = "https://api.telegram.org/bot123:SECRET/getMe"
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, "POST %s", (url,), None)
    RedactSecrets(["123:SECRET", ""]).filter(record)
    assert record.getMessage() == "POST https://api.telegram.org/bot<hidden>/getMe"
