"""End to end under Xvfb: xdotool types into a real Tk text field while the helper runs.

Needs Xvfb and xdotool (apt-get install xvfb xdotool; .ci/run installs them) and uses the
shipped model. The helper runs as its own process under an audit hook (desktop_audited.py),
so the tests also see every file it opens for writing and every connection it makes.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.desktop.popup_bench import XTestKeyboard

pytestmark = [pytest.mark.gui, pytest.mark.model, pytest.mark.needs("Xvfb", "xdotool", "Tk")]
HERE = Path(__file__).resolve().parent
WAIT_S = 60  # the helper loads the model, the lexicon and the language detector first (slow on a busy machine)


def wait_for(check, timeout=WAIT_S, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@pytest.fixture(scope="module")
def session(xvfb_display, tmp_path_factory):
    display = xvfb_display
    """The text field and the helper, with HOME, XDG folders and TMPDIR inside a temp folder."""
    home = tmp_path_factory.mktemp("home")
    env = {**os.environ, "DISPLAY": display, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"),
           "XDG_RUNTIME_DIR": str(home / "run"), "TMPDIR": str(home / "tmp"), "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")])}
    for name in ("config", "data", "cache", "run", "tmp"):
        (home / name).mkdir()
    # Cyrillic letters get keycodes of their own, as a Russian layout gives them; xdotool's
    # momentary remapping for letters missing from the layout is too quick for any listener.
    cyrillic = XTestKeyboard(["пица"], display_name=display)
    config = home / "desktop.toml"
    config.write_text('languages = ["en", "ru"]\ndebounce_ms = 150\npopup_timeout_s = 30\n', encoding="utf-8")
    field_file = home / "field.txt"
    field = subprocess.Popen([sys.executable, str(HERE / "desktop_field.py"), str(field_file)], env=env)
    wait_for(lambda: field_file.exists(), what="the text field")
    log = home / "helper.log"
    with open(log, "w", encoding="utf-8") as log_handle:
        helper = subprocess.Popen([sys.executable, str(HERE / "desktop_audited.py"), "--config", str(config)],
                                  env=env, stdout=log_handle, stderr=subprocess.STDOUT, cwd=str(home))
    s = Session(display, env, home, field_file, log, helper, cyrillic)
    wait_for(lambda: "listening" in s.log_text(), what="the helper to start")
    time.sleep(0.5)
    yield s
    for proc in (helper, field):
        proc.terminate()
        proc.wait(timeout=10)


class Session:
    def __init__(self, display, env, home, field_file, log, helper, cyrillic):
        self.display, self.env, self.home, self.field_file, self.log = display, env, home, field_file, log
        self.helper, self.cyrillic = helper, cyrillic

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def field(self) -> str:
        return self.field_file.read_text(encoding="utf-8")

    def xdotool(self, *args: str) -> str:
        return subprocess.run(["xdotool", *args], env=self.env, check=True, capture_output=True, text=True).stdout

    def type(self, text: str) -> None:
        """Latin text through xdotool, Cyrillic through XTest on the keycodes mapped for it."""
        import itertools

        for is_cyrillic, run in itertools.groupby(text, key=lambda ch: "\u0400" <= ch <= "\u04ff"):
            if is_cyrillic:
                for ch in run:
                    self.cyrillic.tap(ch)
                    time.sleep(0.03)
            else:
                self.xdotool("type", "--delay", "30", "".join(run))

    def key(self, *keys: str) -> None:
        self.xdotool("key", "--delay", "30", *keys)

    def popup_visible(self) -> bool:
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "emoji-assistant suggestions"],
                               env=self.env, capture_output=True, text=True)
        return bool(found.stdout.strip())

    def clear_field(self) -> None:
        self.key("ctrl+slash", "BackSpace", "Escape")  # Tk Text: select all, delete; Escape resets the helper
        wait_for(lambda: self.field() == "", what="an empty field")

    def popups(self) -> list[str]:
        return [line.split(":", 1)[1].split() for line in self.log_text().splitlines() if line.startswith("popup:")]

    def settled_popup(self, quiet_s: float = 1.0) -> list[str]:
        """The popup's emojis once it shows and has not changed for `quiet_s` (several debounce periods): on a
        busy machine a pause between typed letters shows a popup for part of the text, then the whole text's."""
        wait_for(self.popup_visible, what="the popup")
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            shown = len(self.popups())
            time.sleep(quiet_s)
            if len(self.popups()) == shown and self.popup_visible():
                return self.popups()[-1]
        raise AssertionError(f"the popup kept changing for {WAIT_S} s")


def test_popup_shows_suggestions_and_a_hotkey_types_the_pick(session):
    session.clear_field()
    session.type("I love pizza so much")
    shown = session.settled_popup()
    assert "🍕" in shown
    focus = session.xdotool("getwindowfocus").strip()
    assert session.xdotool("getwindowname", focus).strip() != "emoji-assistant suggestions"  # focus not stolen
    position = shown.index("🍕") + 1
    session.key(f"alt+{position}")
    wait_for(lambda: session.field().endswith("🍕"), what="the picked emoji in the field")
    assert session.field() == "I love pizza so much🍕"
    assert not session.popup_visible()


def test_a_click_on_a_suggestion_types_it(session):
    session.clear_field()
    session.type("Good night everyone")
    first = session.settled_popup()[0]
    popup = session.xdotool("search", "--onlyvisible", "--name", "emoji-assistant suggestions").split()[0]
    geometry = dict(line.strip().split(": ", 1) for line in session.xdotool("getwindowgeometry", popup).splitlines()[1:])
    x, y = map(int, geometry["Position"].split(" ")[0].split(","))
    session.xdotool("mousemove", str(x + 40), str(y + 10), "click", "1")  # the first row
    wait_for(lambda: session.field().endswith(first), what="the clicked emoji in the field")
    assert session.field() == "Good night everyone" + first


def test_shortcode_is_replaced_by_its_emoji_in_english_and_russian(session):
    session.clear_field()
    session.type("dinner :pizza:")
    wait_for(lambda: session.field() == "dinner 🍕", what="the English shortcode replaced")
    session.type(" и :пицца:")
    wait_for(lambda: session.field() == "dinner 🍕 и 🍕", what="the Russian shortcode replaced")


def test_pause_stops_listening_until_resumed(session):
    session.clear_field()
    session.key("ctrl+alt+e")
    wait_for(lambda: "paused" in session.log_text(), what="the helper to pause")
    shown = len(session.popups())
    session.type("I love pizza :pizza:")
    time.sleep(1.0)  # several debounce periods
    assert session.field() == "I love pizza :pizza:"  # no shortcode replaced
    assert len(session.popups()) == shown and not session.popup_visible()
    session.key("ctrl+alt+e")
    wait_for(lambda: session.log_text().rstrip().endswith("listening"), what="the helper to resume")
    session.type(" :pizza:")
    wait_for(lambda: session.field() == "I love pizza :pizza: 🍕", what="shortcodes working again")


def test_pause_and_resume_from_the_command_line(session):
    session.clear_field()
    pause = subprocess.run([sys.executable, "-m", "assistant", "desktop", "pause"], env=session.env,
                           capture_output=True, text=True)
    assert pause.returncode == 0 and f"process {session.helper.pid}" in pause.stdout, pause.stderr
    wait_for(lambda: session.log_text().rstrip().endswith("paused"), what="the helper to pause")
    session.type("dinner :pizza:")
    time.sleep(1.0)
    assert session.field() == "dinner :pizza:"
    subprocess.run([sys.executable, "-m", "assistant", "desktop", "resume"], env=session.env, check=True)
    wait_for(lambda: session.log_text().rstrip().endswith("listening"), what="the helper to resume")
    session.type(" :pizza:")
    wait_for(lambda: session.field() == "dinner :pizza: 🍕", what="shortcodes working again")


def test_a_typing_session_writes_nothing_and_connects_nowhere(session):
    """Looks back over everything the helper did in this module's session so far."""
    session.clear_field()
    session.type("secret plans for tuesday")
    wait_for(session.popup_visible, what="the popup")
    audit = [line for line in session.log_text().splitlines() if line.startswith("AUDIT")]
    writes = {line.split(" ", 2)[2] for line in audit if line.startswith("AUDIT write")}
    # Allowed: the single-instance lock (empty), /dev/null, and the probe file Python's tempfile
    # creates and deletes at once while finding the temp folder.
    kept = {path for path in writes if path != "/dev/null" and Path(path).exists()}
    assert kept == {str(session.home / "run" / "emoji-assistant-desktop.lock")}, kept
    assert (session.home / "run" / "emoji-assistant-desktop.lock").read_text() == str(session.helper.pid)
    connects = [line for line in audit if line.startswith("AUDIT connect")]
    assert all("X11-unix" in line or "/tmp/.X" in line for line in connects), connects
    # Nothing written by native code either (the audit hook sees Python's opens only).
    ours = {session.field_file, session.log, session.home / "desktop.toml"}
    others = [p for p in session.home.rglob("*") if p.is_file() and p not in ours]
    assert [p.name for p in others] == ["emoji-assistant-desktop.lock"]


def test_the_x11_probe_names_the_focused_application(session, monkeypatch):
    from assistant.desktop.window import X11WindowProbe, best_window_probe

    monkeypatch.setenv("DISPLAY", session.display)
    assert X11WindowProbe.supported() and isinstance(best_window_probe(), X11WindowProbe)
    window_id, wm_class = X11WindowProbe().focused()
    assert window_id and wm_class == "textfield.textfield"  # the Tk field's class, as blocklists name it
