"""Start the helper with the user's session: write or remove the platform's autostart files.

Linux: a systemd user unit and an XDG autostart entry (sessions without systemd read the
latter; under systemd it is hidden and the unit runs, and the helper never runs twice).
macOS: a LaunchAgent. Windows: a script in the Startup folder. The templates live in
`installers/desktop/`; only the paths of this Python are filled in.
"""
from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PureWindowsPath

UNIT = "emoji-assistant-desktop.service"
XDG_ENTRY = "emoji-assistant-desktop.desktop"
LAUNCH_AGENT = "org.emoji-assistant.desktop.plist"
STARTUP_SCRIPT = "emoji-assistant-desktop.vbs"


@dataclass
class AutostartFile:
    path: Path
    text: str


def template(name: str) -> str:
    try:
        return (resources.files("assistant.desktop.installers") / "desktop" / name).read_text(encoding="utf-8")
    except ModuleNotFoundError:  # a source tree that was never installed
        return (Path(__file__).resolve().parents[2] / "installers" / "desktop" / name).read_text(encoding="utf-8")


def autostart_files(platform: str = sys.platform, *, home: Path | None = None,
                    python: str = sys.executable, env: dict | None = None) -> list[AutostartFile]:
    """What `install-autostart` writes on `platform` ("linux", "darwin", "win32"), with contents."""
    home = home or Path.home()
    env = os.environ if env is None else env
    command = [python, "-m", "assistant", "desktop", "run"]
    if platform == "darwin":
        log = home / "Library" / "Logs" / "emoji-assistant-desktop.log"
        text = template(LAUNCH_AGENT).replace("@PYTHON@", _xml(python)).replace("@LOG@", _xml(str(log)))
        return [AutostartFile(home / "Library" / "LaunchAgents" / LAUNCH_AGENT, text)]
    if platform == "win32":
        pythonw = PureWindowsPath(python).with_name("pythonw.exe")  # no console window
        startup = Path(env.get("APPDATA") or home / "AppData" / "Roaming") / "Microsoft" / "Windows" / \
            "Start Menu" / "Programs" / "Startup"
        return [AutostartFile(startup / STARTUP_SCRIPT, template(STARTUP_SCRIPT).replace("@PYTHONW@", str(pythonw)))]
    config = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    exec_line = " ".join(shlex.quote(part) for part in command)
    return [
        AutostartFile(config / "systemd" / "user" / UNIT, template(UNIT).replace("@EXEC_START@", exec_line)),
        AutostartFile(config / "autostart" / XDG_ENTRY, template(XDG_ENTRY)
                      .replace("@EXEC@", _desktop_exec(command))
                      .replace("@EXEC_PAUSE@", _desktop_exec(command[:-1] + ["pause"]))
                      .replace("@EXEC_RESUME@", _desktop_exec(command[:-1] + ["resume"]))),
    ]


def install(**kwargs) -> list[Path]:
    written = []
    for file in autostart_files(**kwargs):
        file.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.path.with_name(file.path.name + ".tmp")
        tmp.write_text(file.text, encoding="utf-8", newline="\r\n" if file.path.suffix == ".vbs" else "\n")
        tmp.replace(file.path)
        written.append(file.path)
    return written


def uninstall(**kwargs) -> list[Path]:
    removed = []
    for file in autostart_files(**kwargs):
        if file.path.exists():
            file.path.unlink()
            removed.append(file.path)
    return removed


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _desktop_exec(command: list[str]) -> str:
    """Quote for the Exec key of the Desktop Entry Specification (double quotes, escaped \\ " ` $)."""
    def quote(arg: str) -> str:
        if not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`'):
            return arg
        escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
        return f'"{escaped}"'
    return " ".join(quote(arg) for arg in command)
