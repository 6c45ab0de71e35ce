"""DesktopHelper: events in, popup and typed emojis out. No Tk and no pynput in here.

The Tk loop (app.py) calls `process(event)` for each queued key event and `poll()` a few
times a second; tests drive the same two calls with fakes for the popup and the typist.
"""
from __future__ import annotations

import logging
import time
from typing import Callable, Protocol

from assistant.core import ShortcodeIndex

from .buffer import TypingBuffer
from .desktop_settings import DesktopConfig
from .keys import Event, KeyTranslator
from .output import Typist
from .picks import PickHistory
from .shortcode_trigger import find_shortcode
from .window import NoWindowProbe, WindowProbe

log = logging.getLogger("emoji_assistant.desktop")
TRIGGER_CHARS = {":": ":", "space": " ", "tab": "\t"}


class PopupView(Protocol):
    visible: bool

    def show(self, items: list[tuple[str, str]]) -> None: ...  # (emoji, name), best first
    def hide(self) -> None: ...
    def contains(self, point: tuple[int, int]) -> bool: ...


class DesktopHelper:
    def __init__(self, suggest: Callable[[str, int], list], config: DesktopConfig, *, popup: PopupView,
                 typist: Typist, translator: KeyTranslator | None = None, shortcodes: ShortcodeIndex | None = None,
                 window: WindowProbe | None = None, picks: PickHistory | None = None,
                 clock: Callable[[], float] = time.perf_counter):
        self.suggest, self.config, self.popup, self.typist = suggest, config, popup, typist
        self.translator, self.shortcodes, self.picks, self.clock = translator, shortcodes, picks, clock
        self.window = window or NoWindowProbe()
        self.buffer = TypingBuffer()
        self.suggestions: list = []
        self.paused = False
        self.latencies_ms: list[float] = []  # popup shown − (last key + debounce), for the benchmark
        self._due: float | None = None       # when to suggest (clock time)
        self._last_key = 0.0
        self._hide_at = 0.0
        self._focus: int | None = None

    def process(self, event: Event) -> None:
        """Apply one event from the listener (main thread)."""
        if event.kind == "pause":
            self.paused = event.value == "on"
            log.info("paused" if self.paused else "listening")
            self._reset()
        elif event.kind == "pick":
            self.pick(int(event.value))
        elif event.kind == "reset":
            if event.point is None or not self.popup.contains(event.point):
                self._reset()
        elif not self.paused and self._window_allowed():
            self._edit(event)
            self._last_key = event.at
            self._due = event.at + self.config.debounce_ms / 1000

    def poll(self) -> None:
        """Suggest once the debounce has passed; hide the popup when it times out."""
        now = self.clock()
        if self._due is not None and now >= self._due:
            self._due = None
            self.refresh()
        if self.popup.visible and now >= self._hide_at:
            self.popup.hide()

    def idle_for(self) -> float:
        """Seconds since the last key, or 0 while a suggestion is due."""
        return 0.0 if self._due is not None else self.clock() - self._last_key

    def refresh(self) -> None:
        sentence = self.buffer.sentence()
        if sum(ch.isalnum() for ch in sentence) < self.config.min_chars:
            self.popup.hide()
            return
        k = self.config.top_k
        found = self.suggest(sentence, 2 * k if self.picks else k)
        self.suggestions = self.picks.rerank(found, k) if self.picks else found[:k]
        if not self.suggestions:
            self.popup.hide()
            return
        self.popup.show([(s.emoji, s.name) for s in self.suggestions])
        shown = self.clock()
        self._hide_at = shown + self.config.popup_timeout_s
        self.latencies_ms.append((shown - self._last_key) * 1000 - self.config.debounce_ms)
        log.info("popup: %s", " ".join(s.emoji for s in self.suggestions))

    def pick(self, n: int) -> None:
        """Type suggestion `n` (1-based) into the active application."""
        if not self.popup.visible or not 1 <= n <= len(self.suggestions):
            return
        emoji = self.suggestions[n - 1].emoji
        self.popup.hide()
        self._type(0, emoji)
        self.buffer.insert(emoji)
        if self.picks:
            self.picks.record(emoji)
        log.info("picked %s", emoji)

    def _edit(self, event: Event) -> None:
        if event.kind == "text":
            self.buffer.insert(event.value)
        elif event.kind == "dead":
            self.buffer.dead_key(event.value)
        elif event.kind == "edit":
            {"backspace": self.buffer.backspace, "delete": self.buffer.delete}.get(
                event.value, lambda: self.buffer.move(event.value))()
        elif event.kind == "trigger":
            self.buffer.insert(event.value)
            self._expand_shortcode()

    def _expand_shortcode(self) -> None:
        if not (self.config.shortcodes and self.shortcodes):
            return
        found = find_shortcode(self.buffer.text[:self.buffer.cursor], TRIGGER_CHARS[self.config.shortcode_trigger])
        emoji = self.shortcodes.lookup(found[0]) if found else None
        if emoji:
            self._type(found[1], emoji)
            self.buffer.replace_before_cursor(found[1], emoji)
            log.info("shortcode → %s", emoji)

    def _type(self, erase: int, text: str) -> None:
        if self.translator:  # our own key presses come back through the listener: skip exactly those
            self.translator.expect(["backspace"] * erase + ["char"] * len(text))
        self.typist.replace(erase, text)

    def _window_allowed(self) -> bool:
        """Reset on a focus change; ignore keys typed into a blocklisted application."""
        window_id, wm_class = self.window.focused()
        if window_id != self._focus:
            self._focus = window_id
            self._reset()
        if wm_class and any(blocked in wm_class for blocked in self.config.blocklist):
            self._reset()
            return False
        return True

    def _reset(self) -> None:
        self.buffer.reset()
        self._due = None
        self.popup.hide()
