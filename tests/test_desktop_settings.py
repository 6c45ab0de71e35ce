"""DesktopConfig: defaults, TOML file, one-line errors that say what to fix."""
import pytest

from assistant.core.errors import InputError
from assistant.desktop.desktop_settings import DesktopConfig


def test_defaults_are_private_and_sensible():
    config = DesktopConfig()
    assert config.remember_picks is False and config.top_k == 5 and config.debounce_ms == 250
    assert "keepass" in config.blocklist and "terminal" in config.blocklist


def test_missing_default_file_gives_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert DesktopConfig.load() == DesktopConfig()


def test_file_from_the_user_config_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "emoji-assistant").mkdir()
    (tmp_path / "emoji-assistant" / "desktop.toml").write_text(
        'top_k = 3\nlanguages = ["de", "en"]\npick_modifier = "super"\nblocklist = ["Slack"]\n', encoding="utf-8")
    config = DesktopConfig.load()
    assert (config.top_k, config.languages, config.pick_modifier, config.blocklist) == (3, ["de", "en"], "cmd", ["slack"])


@pytest.mark.parametrize("text, message", [
    ("top_k = 12", "top_k must be 1 to 9"),
    ("debounce_ms = -5", "debounce_ms must be 0 to 5000"),
    ('shortcode_trigger = "enter"', "shortcode_trigger must be one of"),
    ('pause_hotkey = "e"', "would fire while typing"),
    ('pick_modifier = "meta"', "pick_modifier must be"),
    ("debounse_ms = 100", "did you mean 'debounce_ms'"),
    ("top_k = ", "not valid TOML"),
])
def test_bad_files_name_the_problem(tmp_path, text, message):
    path = tmp_path / "desktop.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as err:
        DesktopConfig.load(path)
    assert "\n" not in str(err.value)


def test_an_explicit_file_must_exist(tmp_path):
    with pytest.raises(InputError, match="not found"):
        DesktopConfig.load(tmp_path / "nope.toml")
