"""`emoji-assistant desktop run`: wires the listener, the helper and the popup, then runs Tk.

    listener thread ──Event──▶ queue ──▶ Tk main loop: helper.process / helper.poll ──▶ popup, typist
"""
from __future__ import annotations

import logging
import os
import queue
import signal
import sys
from pathlib import Path

from ..errors import AssistantError
from ..paths import user_data_dir
from .config import DesktopConfig
from .helper import DesktopHelper
from .keys import KeyTranslator
from .output import KeyboardTypist
from .picks import PickHistory
from .shortcodes import ShortcodeIndex
from .window import best_window_probe

log = logging.getLogger("emoji_assistant.desktop")
ACTIVE_POLL_MS = 15   # while typing: the popup shows within this of the debounce ending
IDLE_POLL_MS = 200    # after IDLE_AFTER_S without keys: keeps idle CPU near zero
IDLE_AFTER_S = 3.0


def load_gui():
    """tkinter and pynput, or an error that says how to get them."""
    try:
        import tkinter
    except ImportError:
        raise AssistantError("the desktop helper needs Tk: install your system's python3-tk package") from None
    try:
        from pynput import keyboard, mouse
    except ImportError as err:
        if "pynput" in str(getattr(err, "name", "")) or "No module named" in str(err):
            raise AssistantError("the desktop helper needs pynput: pip install 'emoji-assistant[desktop]'") from None
        raise AssistantError(f"pynput cannot reach the keyboard here ({str(err).splitlines()[0]}); it needs an X11 "
                             "session (XWayland apps only on Wayland), macOS or Windows") from None
    return tkinter, keyboard, mouse


def single_instance_lock() -> object | None:
    """An open locked file while this is the only helper of this user; None if another runs."""
    path = Path(os.environ.get("XDG_RUNTIME_DIR") or user_data_dir()) / "emoji-assistant-desktop.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def suggester(assistant, languages: list[str]):
    """suggest(sentence, k) in the detected language, kept to the user's languages when set."""
    from ..language import detect_language

    def suggest(sentence: str, k: int) -> list:
        lang = None
        if languages:
            lang = detect_language(sentence)
            lang = lang if lang in languages else languages[0]
        return assistant.suggest(sentence, k=k, lang=lang)
    return suggest


def run(config: DesktopConfig) -> int:
    tkinter, keyboard, mouse = load_gui()
    lock = single_instance_lock()
    if lock is None:
        log.warning("another emoji-assistant desktop helper is already running for this user; exiting")
        return 0
    from ..assistant import Assistant
    from ..lexicon import Lexicon

    assistant = Assistant(config.model)
    languages = config.languages or [_locale_language()]
    events: queue.Queue = queue.Queue()
    translator = KeyTranslator(events, pick_modifier=config.pick_modifier, top_k=config.top_k,
                               pause_hotkey=config.pause_hotkey, shortcode_trigger=config.shortcode_trigger)
    root = tkinter.Tk(className="emoji-assistant")
    root.withdraw()
    from .popup import Popup

    helper_ref: list[DesktopHelper] = []
    popup = Popup(root, on_pick=lambda n: helper_ref[0].pick(n), hotkey_label=config.pick_modifier.capitalize())
    helper = DesktopHelper(suggester(assistant, config.languages), config, popup=popup, typist=KeyboardTypist(),
                           translator=translator, window=best_window_probe(),
                           shortcodes=ShortcodeIndex(Lexicon.load(), languages) if config.shortcodes else None,
                           picks=PickHistory() if config.remember_picks else None)
    helper_ref.append(helper)

    def drain() -> None:
        busy = False
        while True:
            try:
                event = events.get_nowait()
            except queue.Empty:
                break
            busy = True
            try:
                helper.process(event)
            except AssistantError as err:  # say it once and keep listening
                log.error("%s", err)
        try:
            helper.poll()
        except AssistantError as err:
            log.error("%s", err)
        idle = not busy and helper._due is None and helper.clock() - helper._last_key > IDLE_AFTER_S
        root.after(IDLE_POLL_MS if idle else ACTIVE_POLL_MS, drain)

    keys = keyboard.Listener(on_press=translator.on_press, on_release=translator.on_release)
    clicks = mouse.Listener(on_click=translator.on_click)
    keys.start()
    clicks.start()
    keys.wait()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: root.after(0, root.quit))
    log.info("listening (pause/resume: %s; pick: %s+1…%d)", config.pause_hotkey, config.pick_modifier, config.top_k)
    root.after(ACTIVE_POLL_MS, drain)
    try:
        root.mainloop()
    finally:
        keys.stop()
        clicks.stop()
        lock.close()
    return 0


def _locale_language() -> str:
    import locale

    code = (locale.getlocale()[0] or os.environ.get("LANG") or "en").split("_")[0].split(".")[0]
    return code if code and code not in ("C", "POSIX") else "en"
