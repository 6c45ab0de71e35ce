"""install-autostart / uninstall-autostart: the files for each platform, checked by real parsers."""
import configparser
import plistlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.desktop.autostart import autostart_files, install, uninstall

PYTHON = "/opt/py env/bin/python3"  # a space in the path must survive every format


def test_linux_install_writes_a_systemd_unit_and_an_xdg_entry(tmp_path):
    written = install(platform="linux", home=tmp_path, python=PYTHON, env={})
    assert written == [tmp_path / ".config/systemd/user/emoji-assistant-desktop.service",
                       tmp_path / ".config/autostart/emoji-assistant-desktop.desktop"]
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str
    unit.read(written[0])
    assert unit["Service"]["ExecStart"] == "'/opt/py env/bin/python3' -m assistant desktop run"
    assert unit["Service"]["Restart"] == "on-failure" and unit["Unit"]["StartLimitBurst"] == "5"
    assert unit["Install"]["WantedBy"] == "graphical-session.target"
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str
    entry.read(written[1])
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["X-GNOME-HiddenUnderSystemd"] == "true"
    assert desktop["Exec"] == '"/opt/py env/bin/python3" -m assistant desktop run'
    assert desktop["Actions"] == "pause;resume;"  # the menu entries that pause and resume the helper
    assert entry["Desktop Action pause"]["Exec"] == '"/opt/py env/bin/python3" -m assistant desktop pause'
    assert entry["Desktop Action resume"]["Exec"] == '"/opt/py env/bin/python3" -m assistant desktop resume'


def test_linux_honours_xdg_config_home(tmp_path):
    paths = [f.path for f in autostart_files("linux", home=tmp_path, env={"XDG_CONFIG_HOME": str(tmp_path / "cfg")})]
    assert all(str(p).startswith(str(tmp_path / "cfg")) for p in paths)


@pytest.mark.needs("systemd-analyze")
def test_systemd_accepts_the_unit(tmp_path):
    unit = install(platform="linux", home=tmp_path, python=sys.executable, env={})[0]
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
    broken = tmp_path / "broken.service"  # the check can fail: a relative ExecStart is refused
    broken.write_text(unit.read_text().replace(f"ExecStart={sys.executable}", "ExecStart=python"))
    assert subprocess.run(["systemd-analyze", "verify", str(broken)], capture_output=True).returncode != 0


@pytest.mark.needs("desktop-file-validate")
def test_the_xdg_entry_passes_desktop_file_validate(tmp_path):
    entry = install(platform="linux", home=tmp_path, python=PYTHON, env={})[1]
    result = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout


def test_macos_launch_agent_is_a_valid_plist(tmp_path):
    [agent] = autostart_files("darwin", home=tmp_path, python="/Users/a&b/venv/bin/python")
    assert agent.path == tmp_path / "Library/LaunchAgents/org.emoji-assistant.desktop.plist"
    plist = plistlib.loads(agent.text.encode())
    assert plist["Label"] == "org.emoji-assistant.desktop"
    assert plist["ProgramArguments"] == ["/Users/a&b/venv/bin/python", "-m", "assistant", "desktop", "run"]
    assert plist["RunAtLoad"] is True and plist["KeepAlive"] == {"SuccessfulExit": False}
    assert plist["StandardErrorPath"].endswith("Library/Logs/emoji-assistant-desktop.log")


def test_windows_startup_script_targets_pythonw(tmp_path):
    appdata = tmp_path / "AppData" / "Roaming"
    [script] = autostart_files("win32", home=tmp_path, python=r"C:\Python312\python.exe", env={"APPDATA": str(appdata)})
    assert script.path == appdata / "Microsoft/Windows/Start Menu/Programs/Startup/emoji-assistant-desktop.vbs"
    target = re.search(r'shell\.Run """(.+?)"" (.+?)", 0, False', script.text)
    assert target, script.text
    assert target.group(1) == r"C:\Python312\pythonw.exe"
    assert target.group(2) == "-m assistant desktop run"
    written = install(platform="win32", home=tmp_path, python=r"C:\Python312\python.exe", env={"APPDATA": str(appdata)})
    assert b"\r\n" in written[0].read_bytes()  # Windows Script Host expects CRLF


def test_uninstall_removes_exactly_what_install_wrote(tmp_path):
    (tmp_path / ".config/autostart").mkdir(parents=True)
    other = tmp_path / ".config/autostart/other-app.desktop"
    other.write_text("[Desktop Entry]\n")
    written = install(platform="linux", home=tmp_path, python=PYTHON, env={})
    assert uninstall(platform="linux", home=tmp_path, python=PYTHON, env={}) == written
    assert other.exists() and not any(p.exists() for p in written)
    assert uninstall(platform="linux", home=tmp_path, python=PYTHON, env={}) == []


def test_cli_install_and_uninstall(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(sys, "platform", "linux")
    assert main(["desktop", "install-autostart"]) == 0
    out = capsys.readouterr().out
    assert out.count("wrote ") == 2 and (tmp_path / "cfg/systemd/user/emoji-assistant-desktop.service").exists()
    assert main(["desktop", "uninstall-autostart"]) == 0
    assert capsys.readouterr().out.count("removed ") == 2
    assert main(["desktop", "uninstall-autostart"]) == 0
    assert "no autostart files" in capsys.readouterr().out
    assert main(["desktop", "forget-picks"]) == 0
    assert "no pick history" in capsys.readouterr().out


def test_cli_bad_config_is_one_line(tmp_path, capsys):
    bad = tmp_path / "desktop.toml"
    bad.write_text("top_k = 0\n")
    assert main(["desktop", "run", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "top_k must be 1 to 9" in err


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_every_placeholder_is_filled(tmp_path, platform):
    for file in autostart_files(platform, home=tmp_path, python=PYTHON, env={}):
        assert not re.search(r"@[A-Z_]+@", file.text), file.path
