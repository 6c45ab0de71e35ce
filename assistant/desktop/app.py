"""`emoji-assistant desktop run`: wires the listener, the helper and the popup, then runs Tk.

    listener thread ──Event──▶ queue ──▶ Tk main loop: helper.process / helper.poll ──▶ popup, typist
    model watcher thread ──▶ ModelHolder.current (a promoted model, loaded and warmed off the Tk loop)
"""
from __future__ import annotations

import logging
import os
import queue
import signal

from assistant.core import AssistantError
from assistant.core.holder import ModelHolder

from .desktop_settings import DesktopConfig
from .control import on_remote_control, single_instance_lock
from .helper import DesktopHelper
from .keys import Event, KeyTranslator
from .output import KeyboardTypist
from .picks import PickHistory
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
        where = f"DISPLAY={os.environ['DISPLAY']}" if os.environ.get("DISPLAY") else "DISPLAY is not set"
        raise AssistantError(f"pynput cannot reach the keyboard here ({where}); the helper needs an X11 session "
                             "(on Wayland: XWayland apps only), macOS or Windows") from None
    return tkinter, keyboard, mouse


def suggester(model, languages: list[str]):
    """suggest(sentence, k) in the detected language, kept to the user's languages when set.

    `model` is an Assistant, or a ModelHolder: then each sentence goes to the model current at that
    moment. The configured languages are the detector's hint, so a short or unclear sentence is read
    as one of them; a sentence detected as another language is read as the first.
    """
    def suggest(sentence: str, k: int) -> list:
        assistant = model.current if isinstance(model, ModelHolder) else model
        if not languages:
            return assistant.suggest(sentence, k=k)
        lang = assistant.detect_language(sentence, hint=languages)
        return assistant.suggest(sentence, k=k, lang=lang if lang in languages else languages[0])
    return suggest


def model_holder(config: DesktopConfig) -> ModelHolder:
    """The helper's model, loaded now and again whenever it changes on disk (see watch_in_thread)."""
    from assistant.core import Assistant

    languages = config.user_languages()

    def load():
        assistant = Assistant(config.model)
        for lang in languages:  # build each language's keyword index now, not on the first keystroke (~100 ms)
            assistant.suggest("ok", k=1, lang=lang)
        assistant.detect_language("ok")  # and load the language detector (~250 ms)
        return assistant

    return ModelHolder(load)


def event_queue() -> queue.SimpleQueue:
    """The listener's and remote control's events for the Tk loop.

    SimpleQueue, not Queue: remote() puts from a signal handler, which can interrupt the Tk loop
    inside get_nowait(); Queue's lock would then deadlock the helper, SimpleQueue's put is reentrant.
    """
    return queue.SimpleQueue()


class HelperApp:
    """The running helper: Tk root, popup, listeners and the loop that feeds the helper."""

    def __init__(self, config: DesktopConfig):
        tkinter, self._keyboard, self._mouse = load_gui()
        from .popup import Popup

        self.events = event_queue()
        self.translator = KeyTranslator(self.events, pick_modifier=config.pick_modifier, top_k=config.top_k,
                                        pause_hotkey=config.pause_hotkey, shortcode_trigger=config.shortcode_trigger)
        self.root = tkinter.Tk(className="emoji-assistant")
        self.root.withdraw()
        popup = Popup(self.root, on_pick=lambda n: self.helper.pick(n), hotkey_label=config.pick_modifier.capitalize())
        self.model = model_holder(config)
        self.reload_check_s = config.reload_check_s
        self.helper = DesktopHelper(
            suggester(self.model, config.languages), config, popup=popup, typist=KeyboardTypist(),
            translator=self.translator, window=best_window_probe(),
            # names and keywords come from the lexicon, which a new model version does not change
            shortcodes=self.model.current.shortcodes(config.user_languages()) if config.shortcodes else None,
            picks=PickHistory() if config.remember_picks else None)
        self._listeners = []
        self._stop_watching = None

    def start(self) -> None:
        keys = self._keyboard.Listener(on_press=self.translator.on_press, on_release=self.translator.on_release)
        clicks = self._mouse.Listener(on_click=self.translator.on_click)
        self._listeners = [keys, clicks]
        for listener in self._listeners:
            listener.start()
        keys.wait()
        if self.reload_check_s > 0:
            self._stop_watching = self.model.watch_in_thread(self.reload_check_s)
        self.root.after(ACTIVE_POLL_MS, self._drain)

    def remote(self, action: str) -> None:
        """`emoji-assistant desktop pause|resume` from another process (a signal handler: only enqueue)."""
        self.translator.paused = action == "pause"
        self.events.put_nowait(Event("pause", "on" if action == "pause" else "off"))

    def stop(self) -> None:
        if self._stop_watching is not None:
            self._stop_watching.set()
        for listener in self._listeners:
            listener.stop()
        self.root.quit()

    def _drain(self) -> None:
        busy = False
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                break
            busy = True
            try:
                self.helper.process(event)
            except AssistantError as err:  # say it once and keep listening
                log.error("%s", err)
        try:
            self.helper.poll()
        except AssistantError as err:
            log.error("%s", err)
        idle = not busy and self.helper.idle_for() > IDLE_AFTER_S
        self.root.after(IDLE_POLL_MS if idle else ACTIVE_POLL_MS, self._drain)


def run(config: DesktopConfig) -> int:
    load_gui()  # a missing display or extra is reported before anything else happens
    lock = single_instance_lock()
    if lock is None:
        log.warning("another emoji-assistant desktop helper is already running for this user; exiting")
        return 0
    app = HelperApp(config)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: app.root.after(0, app.stop))
    on_remote_control(app.remote)
    app.start()
    log.info("listening (pause/resume: %s; pick: %s+1…%d)", config.pause_hotkey, config.pick_modifier, config.top_k)
    try:
        app.root.mainloop()
    finally:
        app.stop()
        lock.close()
    return 0
