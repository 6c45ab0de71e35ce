"""One helper per user, and how other commands reach it.

The running helper holds an exclusive lock on a file in the user's runtime folder and
writes its process id there. `emoji-assistant desktop pause|resume` (also offered as
actions of the desktop menu entry) read that id and send SIGUSR1 / SIGUSR2, which the
helper turns into the same events as its pause hotkey. POSIX only; on Windows the
hotkey pauses.
"""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from assistant.core import AssistantError
from assistant.core.paths import user_data_dir

SIGNALS = {"pause": "SIGUSR1", "resume": "SIGUSR2"}


def lock_path() -> Path:
    return Path(os.environ.get("XDG_RUNTIME_DIR") or user_data_dir()) / "emoji-assistant-desktop.lock"


def single_instance_lock():
    """An open locked file holding our pid while this is the only helper of this user; None if another runs."""
    path = lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")
    try:
        _lock(handle)
    except OSError:
        handle.close()
        return None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def running_helper() -> int | None:
    """The process id of this user's running helper, or None."""
    path = lock_path()
    if not path.exists():
        return None
    with open(path, "a+") as handle:
        try:
            _lock(handle)  # we got the lock: nobody holds it, so no helper runs
        except OSError:
            handle.seek(0)
            text = handle.read().strip()
            return int(text) if text.isdigit() else None
    return None


def send(action: str) -> int:
    """Ask the running helper to pause or resume; returns its pid.

    Raises:
        AssistantError: no helper runs, or this platform has no signals for it.
    """
    if not hasattr(signal, SIGNALS[action]):
        raise AssistantError(f"desktop {action} needs POSIX signals; on this system use the pause hotkey")
    pid = running_helper()
    if pid is None:
        raise AssistantError("no desktop helper is running for this user; start it with `emoji-assistant desktop run`")
    os.kill(pid, getattr(signal, SIGNALS[action]))
    return pid


def on_remote_control(handler) -> None:
    """Call handler("pause") / handler("resume") when another command asks (POSIX)."""
    for action, name in SIGNALS.items():
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), lambda *_, action=action: handler(action))


def _lock(handle) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
