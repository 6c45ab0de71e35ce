"""The wiring around the Tk loop: start-up errors, one helper per user, language choice."""
import os
import signal
import sys

import pytest

from assistant.cli import main
from assistant.core.language import detect_language
from assistant.desktop.app import suggester
from assistant.desktop.control import running_helper, send, single_instance_lock


def test_without_a_display_run_says_why_in_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    for name in [m for m in sys.modules if m == "pynput" or m.startswith("pynput.")]:
        monkeypatch.delitem(sys.modules, name)
    assert main(["desktop", "run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "DISPLAY is not set" in err


def test_only_one_helper_runs_per_user(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert running_helper() is None
    first = single_instance_lock()
    assert first is not None and running_helper() == os.getpid()
    import subprocess

    code = "from assistant.desktop.app import single_instance_lock; print(single_instance_lock() is None)"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={"XDG_RUNTIME_DIR": str(tmp_path), "PATH": "", "PYTHONPATH": ":".join(sys.path)})
    assert other.stdout.strip() == "True", other.stderr
    first.close()
    assert running_helper() is None  # the pid left in the file is stale: nobody holds the lock
    again = single_instance_lock()
    assert again is not None
    again.close()


class RecordingAssistant:
    """The real language detection, recording the hints it gets and the language suggest() is asked for."""

    def __init__(self):
        self.langs, self.hints = [], []

    def detect_language(self, text, *, hint=None):
        self.hints.append(hint)
        return detect_language(text, hint=hint)

    def suggest(self, text, k=5, lang=None, *, hint=None):
        self.langs.append(lang)
        return []


@pytest.mark.parametrize("languages, text, lang", [
    ([], "Ich liebe Pizza sehr", None),                          # no setting: the assistant detects
    (["de", "en"], "Ich liebe Pizza sehr", "de"),
    (["de", "en"], "Me encanta la pizza con mis amigos", "de"),  # outside the user's languages: the first
])
def test_suggester_keeps_to_the_users_languages(languages, text, lang):
    assistant = RecordingAssistant()
    suggester(assistant, languages)(text, 3)
    assert assistant.langs == [lang]
    assert assistant.hints == ([languages] if languages else [])  # the configured languages are the hint


def test_a_sentence_without_words_is_read_in_the_first_configured_language():
    assistant = RecordingAssistant()
    suggester(assistant, ["pt", "en"])("👍🎉", 3)  # no words to tell by: the hint's first language
    assert assistant.langs == ["pt"] and assistant.hints == [["pt", "en"]]


def test_pause_and_resume_signal_the_running_helper(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert main(["desktop", "pause"]) == 2
    assert "no desktop helper is running" in capsys.readouterr().err
    received = []
    from assistant.desktop.control import on_remote_control

    old = {name: signal.getsignal(getattr(signal, name)) for name in ("SIGUSR1", "SIGUSR2")}
    on_remote_control(received.append)
    lock = single_instance_lock()
    try:
        assert main(["desktop", "pause"]) == 0 and main(["desktop", "resume"]) == 0
        assert received == ["pause", "resume"]
        assert f"process {os.getpid()}" in capsys.readouterr().out
    finally:
        lock.close()
        for name, handler in old.items():
            signal.signal(getattr(signal, name), handler)


STRESS = """
import os, queue, signal, threading, time
from assistant.desktop.app import event_queue
events = event_queue()
signal.signal(signal.SIGUSR1, lambda *_: events.put_nowait("pause"))
def send():
    for _ in range(600):
        os.kill(os.getpid(), signal.SIGUSR1)
        time.sleep(0.0001)
sender = threading.Thread(target=send)
sender.start()
taken = 0
while sender.is_alive() or taken < 1:
    try:
        events.get_nowait()
        taken += 1
    except queue.Empty:
        pass
print(taken)
"""


def test_remote_control_signals_cannot_deadlock_the_event_loop():
    """`desktop pause` arrives as a signal, whose handler may run while the loop is inside get_nowait()."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", STRESS], capture_output=True, text=True, timeout=30,
                          env={**os.environ, "PYTHONPATH": ":".join(sys.path)})
    assert done.returncode == 0, done.stderr[-500:]
    assert int(done.stdout) > 0
