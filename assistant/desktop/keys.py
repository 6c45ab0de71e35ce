"""Key events (pynput's Key and KeyCode) → the helper's events, on the listener thread.

The translator only classifies and enqueues: it never waits, so no keystroke is delayed.
It tracks the modifiers held, so that shortcuts (Ctrl+C, Alt+Tab) never count as typed
text, and it recognises the hotkeys. A pick hotkey fires once its modifier is released,
so the emoji is not typed while Alt is still down (that would send Alt+🍕 to the app).
Keys are read by duck typing (`.name` of a Key, `.char`/`.is_dead`/`.combining` of a
KeyCode), so tests feed plain objects and need no display.
"""
from __future__ import annotations

import queue
import time
from collections import deque
from dataclasses import dataclass, field

MODIFIERS = {  # pynput Key names → canonical modifier
    "alt": "alt", "alt_l": "alt", "alt_r": "alt",
    "ctrl": "ctrl", "ctrl_l": "ctrl", "ctrl_r": "ctrl",
    "cmd": "cmd", "cmd_l": "cmd", "cmd_r": "cmd",
    "shift": "shift", "shift_l": "shift", "shift_r": "shift",
}
# alt_gr types characters (€, @ on many layouts): it is not a shortcut modifier.
EDITS = {"backspace": "backspace", "delete": "delete", "left": "left", "right": "right",
         "home": "home", "end": "end"}
# X11 keysyms 0x01000000 + code point. The protocol keeps Latin-1 (below U+0100) to the legacy keysyms,
# but XTest typists and some layouts send ",", "?" or "é" this way too: from the first printable one.
UNICODE_KEYSYM_MIN, UNICODE_KEYSYM_MAX = 0x01000020, 0x0110FFFF
RESETS = {"enter", "esc", "up", "down", "page_up", "page_down", "tab", "insert"}


@dataclass(frozen=True)
class Event:
    kind: str     # text | dead | edit | reset | pick | pause | trigger
    value: str = ""
    point: tuple[int, int] | None = None  # screen position of a click
    at: float = field(default_factory=time.perf_counter)  # when the key was seen


@dataclass(frozen=True)
class Hotkey:
    modifiers: frozenset[str]
    key: str  # a character ("e", "1") or a Key name ("f9")

    @classmethod
    def parse(cls, spec: str) -> Hotkey:
        """'<ctrl>+<alt>+e' (pynput's notation) → Hotkey.

        Raises:
            ValueError: no key, or an unknown modifier.
        """
        parts = [p.strip() for p in spec.lower().split("+") if p.strip()]
        if not parts:
            raise ValueError(f"hotkey {spec!r} is empty; write it like '<ctrl>+<alt>+e'")
        mods, key = parts[:-1], parts[-1].strip("<>")
        canonical = set()
        for mod in mods:
            name = mod.strip("<>")
            if name not in MODIFIERS and name != "super":
                raise ValueError(f"hotkey {spec!r}: unknown modifier {mod!r}; use <ctrl>, <alt>, <shift> or <cmd>")
            canonical.add("cmd" if name == "super" else MODIFIERS[name])
        if not canonical - {"shift"} and len(key) == 1:
            raise ValueError(f"hotkey {spec!r} would fire while typing; add <ctrl>, <alt> or <cmd>, or use a key "
                             "like <f9>")
        return cls(frozenset(canonical), key)


def key_char(key) -> str | None:
    """The character a key types. X11 layouts that use Unicode keysyms (0x01000000 + code point)
    come from pynput as a bare virtual key code, so the character is recovered from it."""
    char = getattr(key, "char", None)
    if char:
        return char
    vk = getattr(key, "vk", None)
    if isinstance(vk, int) and UNICODE_KEYSYM_MIN <= vk <= UNICODE_KEYSYM_MAX:
        return chr(vk - 0x01000000)
    return None


def key_name(key) -> str | None:
    """'backspace' for Key.backspace; None for a character key."""
    name = getattr(key, "name", None)
    return name if isinstance(name, str) else None


class KeyTranslator:
    """Turns pynput callbacks into Events on `events`; call on_press/on_release from the listener."""

    def __init__(self, events: queue.SimpleQueue, *, pick_modifier: str = "alt", top_k: int = 5,
                 pause_hotkey: str = "<ctrl>+<alt>+e", shortcode_trigger: str = ":"):
        self.events = events
        self.pick_modifier = pick_modifier
        self.top_k = top_k
        self.pause = Hotkey.parse(pause_hotkey)
        self.trigger = shortcode_trigger
        self.held: set[str] = set()
        self.paused = False
        self._expected: deque[tuple[str, float]] = deque()  # the helper's own key presses, still to come
        self._pending_pick: int | None = None

    def expect(self, presses: list[str], within_s: float = 1.0) -> None:
        """The helper is about to type: skip these presses ("backspace" or "char") when they come back."""
        deadline = time.perf_counter() + within_s
        self._expected.extend((press, deadline) for press in presses)

    def on_press(self, key, injected: bool = False) -> None:
        name = key_name(key)
        if injected or self._own_press(name):
            return
        if name in MODIFIERS:
            self.held.add(MODIFIERS[name])
            return
        char = key_char(key)
        pressed = (char or name or "").lower()
        if self.held == set(self.pause.modifiers) and pressed == self.pause.key:
            self.paused = not self.paused
            self._put(Event("pause", "on" if self.paused else "off"))
            return
        if self.paused:
            return  # paused: keys are not looked at, let alone kept
        shortcut = self.held - {"shift"}
        if shortcut:
            if shortcut == {self.pick_modifier} and char and char.isdigit() and 1 <= int(char) <= self.top_k:
                self._pending_pick = int(char)
            else:
                self._put(Event("reset", "shortcut"))  # Ctrl+V, Alt+Tab…: the text is no longer known
            return
        if getattr(key, "is_dead", False) and getattr(key, "combining", None):
            self._put(Event("dead", key.combining))
        elif char:
            self._put(Event("trigger", char) if self.trigger == ":" and char == ":" else Event("text", char))
        elif name == "space":
            self._put(Event("trigger", " ") if self.trigger == "space" else Event("text", " "))
        elif name == "tab" and self.trigger == "tab":
            self._put(Event("trigger", "\t"))
        elif name in EDITS:
            self._put(Event("edit", EDITS[name]))
        elif name in RESETS:
            self._put(Event("reset", name))
        # other keys (F-keys, media keys, vk-only codes) change no text

    def on_release(self, key, injected: bool = False) -> None:
        name = key_name(key)
        if name in MODIFIERS:
            self.held.discard(MODIFIERS[name])
            if self._pending_pick is not None and MODIFIERS[name] == self.pick_modifier:
                self._put(Event("pick", str(self._pending_pick)))
                self._pending_pick = None

    def _own_press(self, name: str | None) -> bool:
        """Whether this press is one the helper typed (X11 does not flag XTest events as injected)."""
        now = time.perf_counter()
        while self._expected and self._expected[0][1] < now:  # never arrived: stop waiting for it
            self._expected.popleft()
        if not self._expected or name in MODIFIERS:
            return False
        press, _ = self._expected[0]
        if (press == "backspace") == (name == "backspace"):
            self._expected.popleft()
            return True
        return False

    def on_click(self, x: int, y: int, button=None, pressed: bool = True, injected: bool = False) -> None:
        if pressed and not self.paused:
            self._put(Event("reset", "click", point=(int(x), int(y))))

    def _put(self, event: Event) -> None:
        self.events.put_nowait(event)
