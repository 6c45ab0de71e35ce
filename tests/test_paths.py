"""The per-user folders: the ones the README names, on every platform (platformdirs picks them)."""
import platformdirs
import platformdirs.macos
import platformdirs.windows
import pytest

from assistant.core.paths import user_config_dir, user_data_dir

XDG = ("XDG_CONFIG_HOME", "XDG_DATA_HOME")


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in XDG:
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.mark.skipif(platformdirs.PlatformDirs.__name__ != "Unix", reason="the Linux layout is checked on Linux")
def test_linux_follows_xdg(home, monkeypatch):
    assert user_config_dir() == home / ".config" / "emoji-assistant"
    assert user_data_dir() == home / ".local" / "share" / "emoji-assistant"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    assert user_config_dir() == home / "cfg" / "emoji-assistant"
    assert user_data_dir() == home / "data" / "emoji-assistant"


def test_macos_keeps_both_in_application_support(home, monkeypatch):
    monkeypatch.setattr(platformdirs, "PlatformDirs", platformdirs.macos.MacOS)
    assert user_config_dir() == user_data_dir() == home / "Library" / "Application Support" / "emoji-assistant"


def test_windows_roams_settings_and_keeps_data_local(monkeypatch):
    folders = {"CSIDL_APPDATA": r"C:\Users\ana\AppData\Roaming", "CSIDL_LOCAL_APPDATA": r"C:\Users\ana\AppData\Local"}
    monkeypatch.setattr(platformdirs, "PlatformDirs", platformdirs.windows.Windows)
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", folders.__getitem__)
    # One folder of ours right under AppData (no publisher folder above it); "/" is this test machine's separator.
    assert str(user_config_dir()).replace("/", "\\") == r"C:\Users\ana\AppData\Roaming\emoji-assistant"
    assert str(user_data_dir()).replace("/", "\\") == r"C:\Users\ana\AppData\Local\emoji-assistant"
