"""`emoji-assistant desktop bench`: keystroke-to-popup latency and idle CPU, on a real display.

It opens its own text field and types sentences into it through the X server's XTest
extension, so every key goes the whole way (X server → listener thread → queue → Tk loop →
model → popup), and reads how long after the debounce each popup appeared. X11 only. Then it stays idle and
measures the CPU time the process uses. Run it under Xvfb on a server:
    xvfb-run emoji-assistant desktop bench
"""
from __future__ import annotations

import threading
import time

import numpy as np

from assistant.core import AssistantError

from .app import HelperApp
from .desktop_settings import DesktopConfig

SENTENCES = [
    "I love pizza so much", "Happy birthday to my best friend", "Good night everyone", "This is so funny",
    "Me encanta la paella", "Feliz cumpleaños hermano", "Gute Nacht und schlaf gut", "Ich liebe dich",
    "Bonne nuit mes amis", "Joyeux anniversaire", "Я люблю пиццу", "С днём рождения",
    "Buon compleanno amore", "Boa noite a todos", "Merry Christmas and happy new year", "We won the match today",
    "I miss you so much", "Let's go to the beach", "So tired after work", "Congratulations on the new job",
]
BENCH_LANGUAGES = ["en", "es", "de", "fr", "ru", "it", "pt"]
KEY_INTERVAL_S = 0.06   # about 170 characters a minute, a brisk typist
IDLE_S = 10.0


def run_desktop_bench(config: DesktopConfig, *, sentences: list[str] = SENTENCES, idle_s: float = IDLE_S) -> dict:
    import tkinter as tk

    config.popup_timeout_s = 30
    config.shortcodes = False
    config.languages = config.languages or BENCH_LANGUAGES  # a user who writes these, set up as the README says
    app = HelperApp(config)
    field_window = tk.Toplevel(app.root)
    field_window.title("emoji-assistant bench field")
    field = tk.Text(field_window, width=60, height=4)
    field.pack()
    field_window.update()
    field.focus_force()
    keyboard = XTestKeyboard(sentences)  # maps any missing letters before the listener reads the keymap
    app.start()
    idle: dict = {}

    def typist() -> None:
        time.sleep(1.0)
        for sentence in sentences:
            for ch in sentence:
                keyboard.tap(ch)
                time.sleep(KEY_INTERVAL_S)
            time.sleep(config.debounce_ms / 1000 + 0.4)
            keyboard.tap("\x1b")
            time.sleep(0.2)
        time.sleep(IDLE_AFTER_QUIET_S)
        cpu, wall = time.process_time(), time.perf_counter()
        time.sleep(idle_s)
        idle.update(seconds=idle_s, cpu_percent=round(100 * (time.process_time() - cpu) / (time.perf_counter() - wall), 2))
        app.root.after(0, app.stop)

    thread = threading.Thread(target=typist, daemon=True)
    thread.start()
    app.root.mainloop()
    thread.join(timeout=5)
    if len(app.helper.latencies_ms) < 2:
        raise AssistantError("no popups appeared during the benchmark: is the display's keyboard reachable?")
    latencies = np.array(app.helper.latencies_ms[1:])  # the first popup pays one-off loading
    return {
        "latency_ms": {"n": int(latencies.size), "p50": round(float(np.percentile(latencies, 50)), 2),
                       "p95": round(float(np.percentile(latencies, 95)), 2), "max": round(float(latencies.max()), 2),
                       "first_ms": round(app.helper.latencies_ms[0], 2) if app.helper.latencies_ms else None},
        "idle": idle,
        "debounce_ms": config.debounce_ms,
        "sentences": len(sentences),
    }


IDLE_AFTER_QUIET_S = 4.0  # let the loop drop to its idle polling rate first


class XTestKeyboard:
    """Types characters as key presses through XTest; letters missing from the keymap get
    a spare keycode with their Unicode keysym first, as a layout that has them would."""

    def __init__(self, sentences: list[str], display_name: str | None = None):
        from Xlib import XK, display
        from Xlib.ext import xtest

        self._xtest, self._display = xtest, display.Display(display_name)
        info = self._display.display.info
        first, count = info.min_keycode, info.max_keycode - info.min_keycode + 1
        mapping = self._display.get_keyboard_mapping(first, count)
        spare = [first + i for i, syms in enumerate(mapping) if any(syms) and all(s == 0 or s >= 0x1008FF00 for s in syms)]
        self._shift = self._display.keysym_to_keycode(XK.string_to_keysym("Shift_L"))
        self._keys: dict[str, tuple[int, bool]] = {"\x1b": (self._display.keysym_to_keycode(XK.string_to_keysym("Escape")), False)}
        for ch in sorted(set("".join(sentences))):
            # a Latin-1 character's keysym is its code point ("," is 0x2c); any other's is Unicode's, 0x01000000 + it
            keysym = ord(ch) if 0x20 <= ord(ch) <= 0xFF else 0x01000000 + ord(ch)
            found = [(code, index) for code, index in self._display.keysym_to_keycodes(keysym) if index < 2]
            if found:
                self._keys[ch] = (found[0][0], found[0][1] == 1)
            elif spare:
                code = spare.pop(0)
                self._display.change_keyboard_mapping(code, [(0x01000000 + ord(ch),) * len(mapping[0])])
                self._keys[ch] = (code, False)
        self._display.sync()

    def tap(self, ch: str) -> None:
        from Xlib import X

        code, shifted = self._keys[ch]
        if shifted:
            self._xtest.fake_input(self._display, X.KeyPress, self._shift)
        self._xtest.fake_input(self._display, X.KeyPress, code)
        self._xtest.fake_input(self._display, X.KeyRelease, code)
        if shifted:
            self._xtest.fake_input(self._display, X.KeyRelease, self._shift)
        self._display.sync()
