"""assistant.core.settings: one way to read a settings file and the environment, for every surface."""
from dataclasses import dataclass, field

import pytest

from assistant.core.errors import InputError
from assistant.core.settings import SettingsError, load
from assistant.desktop.desktop_settings import DesktopConfig
from assistant.web.web_settings import WebSettings
from bots.bot_settings import BotConfig


@dataclass
class Example:
    enabled: bool = False
    count: int = 3
    ratio: float = 0.5
    name: str = "x"
    model: str | None = None
    ids: tuple[int, ...] = ()
    languages: list[str] = field(default_factory=list)
    token: str = field(default="", repr=False)

    def __post_init__(self):
        if self.count < 1:
            raise ValueError(f"count must be at least 1, got {self.count}")


ENV = {name: f"EX_{name.upper()}" for name in ("enabled", "count", "ratio", "name", "model", "ids", "languages",
                                                "token")}


def from_env(**variables) -> Example:
    return load(Example, env=variables, env_names=ENV, secrets=("token",))


def from_file(tmp_path, text: str) -> Example:
    path = tmp_path / "example.toml"
    path.write_text(text, encoding="utf-8")
    return load(Example, path=path, env={}, env_names=ENV, secrets=("token",))


YES = ["true", "TRUE", "1", "yes", "Yes", "on", " on "]
NO = ["false", "False", "0", "no", "off", "OFF"]


@pytest.mark.parametrize("word, value", [(w, True) for w in YES] + [(w, False) for w in NO])
def test_booleans_read_one_way_from_the_environment_and_the_file(tmp_path, word, value):
    assert from_env(EX_ENABLED=word).enabled is value
    assert from_file(tmp_path, f'enabled = "{word}"').enabled is value


@pytest.mark.parametrize("toml, value", [("true", True), ("false", False), ("1", True), ("0", False)])
def test_toml_booleans_and_ones_and_zeros(tmp_path, toml, value):
    assert from_file(tmp_path, f"enabled = {toml}").enabled is value


@pytest.mark.parametrize("word", ["maybe", "y", "t", "2", "enabled"])
def test_any_other_boolean_is_one_line_naming_the_key_and_the_value(tmp_path, word):
    with pytest.raises(SettingsError) as err:
        from_env(EX_ENABLED=word)
    assert str(err.value) == f"EX_ENABLED must be true or false (or yes/no, on/off, 1/0), got {word!r}"
    with pytest.raises(SettingsError, match=f"enabled in .*example.toml must be true or false .*got {word!r}"):
        from_file(tmp_path, f'enabled = "{word}"')
    with pytest.raises(SettingsError, match="got 2.5"):
        from_file(tmp_path, "enabled = 2.5")


def test_every_surface_reads_booleans_the_same_way(tmp_path):
    (tmp_path / "bot.toml").write_text('collect = "off"\n', encoding="utf-8")
    (tmp_path / "desktop.toml").write_text('remember_picks = "yes"\n', encoding="utf-8")
    (tmp_path / "web.toml").write_text('log_texts = "on"\n', encoding="utf-8")
    assert BotConfig.load(tmp_path / "bot.toml", env={}).collect is False
    assert DesktopConfig.load(tmp_path / "desktop.toml").remember_picks is True  # a string was simply truthy
    assert WebSettings.load(tmp_path / "web.toml", env={}).log_texts is True
    assert BotConfig.load(env={"EMOJI_ASSISTANT_COLLECT": "no"}).collect is False
    assert WebSettings.load(env={"EMOJI_ASSISTANT_WEB_LOG_TEXTS": "1"}).log_texts is True
    (tmp_path / "desktop.toml").write_text('remember_picks = "sure"\n', encoding="utf-8")
    with pytest.raises(InputError, match="remember_picks in .* must be true or false"):
        DesktopConfig.load(tmp_path / "desktop.toml")


def test_typed_values_from_the_file(tmp_path):
    example = from_file(tmp_path, 'count = 7\nratio = 2\nname = "n"\nmodel = "m"\nids = [1, 2]\n'
                                  'languages = ["de", "en"]\n')
    assert example == Example(count=7, ratio=2.0, name="n", model="m", ids=(1, 2), languages=["de", "en"])
    assert isinstance(example.ratio, float)


def test_typed_values_and_lists_from_the_environment():
    example = from_env(EX_COUNT=" 7 ", EX_RATIO="0.25", EX_MODEL="m", EX_IDS="5, 6", EX_LANGUAGES="de,en")
    assert example == Example(count=7, ratio=0.25, model="m", ids=(5, 6), languages=["de", "en"])
    assert from_env(EX_COUNT="").count == 3  # an empty variable counts as unset


def test_the_environment_wins_over_the_file(tmp_path):
    path = tmp_path / "example.toml"
    path.write_text("count = 7\nenabled = true\n", encoding="utf-8")
    example = load(Example, path=path, env={"EX_COUNT": "9"}, env_names=ENV)
    assert (example.count, example.enabled) == (9, True)


@pytest.mark.parametrize("text, message", [
    ('count = "many"', "count in .* must be a whole number, got 'many'"),
    ("count = 1.5", "count in .* must be a whole number, got 1.5"),
    ("ratio = true", "ratio in .* must be a number, got True"),
    ("name = 5", "name in .* must be text, got 5"),
    ('ids = ["a"]', "ids in .* must be a whole number, got 'a'"),
    ("languages = 5", "languages in .* must be a list, got 5"),
    ("token = 5", r"token in .* must be text, got \(hidden\)"),
    ("count = 0", r"count must be at least 1, got 0 \(in .*example.toml\)"),
    ("cuont = 2", "unknown setting 'cuont'; did you mean 'count'?"),
    ("zzz = 2", "unknown setting 'zzz'; known keys: enabled, count, ratio"),
    ("count = ", "not valid TOML"),
])
def test_bad_files_are_one_line_naming_key_and_value(tmp_path, text, message):
    with pytest.raises(SettingsError, match=message) as err:
        from_file(tmp_path, text)
    assert "\n" not in str(err.value)


def test_a_check_names_the_variable_that_set_the_value():
    with pytest.raises(SettingsError, match=r"^count must be at least 1, got 0 \(from EX_COUNT\)$"):
        from_env(EX_COUNT="0")


def test_settings_errors_are_both_value_errors_and_input_errors():
    # Bots catch ValueError, the CLI catches AssistantError: both print the one line.
    assert issubclass(SettingsError, ValueError) and issubclass(SettingsError, InputError)


def test_a_missing_file_says_so(tmp_path):
    with pytest.raises(SettingsError, match="cannot read the settings file .*nope.toml"):
        load(Example, path=tmp_path / "nope.toml")
