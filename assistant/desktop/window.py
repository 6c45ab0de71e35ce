"""Which window has the keyboard focus: to reset on focus changes and honour the blocklist.

Backends answer `supported()` and `name()`; `best_window_probe()` picks the first that
works, and the no-op probe (focus unknown, nothing blocked) is the last resort, e.g. on
Wayland, where no client may ask which window is active.
"""
from __future__ import annotations

import os
import sys
from abc import ABC, abstractmethod


class WindowProbe(ABC):
    @staticmethod
    @abstractmethod
    def supported() -> bool: ...

    @staticmethod
    @abstractmethod
    def name() -> str: ...

    @abstractmethod
    def focused(self) -> tuple[int, str]:
        """(window id, its WM_CLASS as "instance.class" lower-cased); (0, "") when unknown."""


class NoWindowProbe(WindowProbe):
    @staticmethod
    def supported() -> bool:
        return True

    @staticmethod
    def name() -> str:
        return "none"

    def focused(self) -> tuple[int, str]:
        return 0, ""


class X11WindowProbe(WindowProbe):
    """The X input focus, walked up to the window that carries WM_CLASS (python-xlib, a pynput dependency)."""

    @staticmethod
    def supported() -> bool:
        if sys.platform in ("win32", "darwin") or not os.environ.get("DISPLAY"):
            return False
        try:
            import Xlib.display  # noqa: F401
        except ImportError:
            return False
        return True

    @staticmethod
    def name() -> str:
        return "x11"

    def __init__(self):
        import Xlib.display
        import Xlib.error

        self._errors = (Xlib.error.XError, Xlib.error.ConnectionClosedError)
        self._display = Xlib.display.Display()

    def focused(self) -> tuple[int, str]:
        try:
            window = self._display.get_input_focus().focus
            while window and not isinstance(window, int):
                wm_class = window.get_wm_class()
                if wm_class:
                    return window.id, ".".join(wm_class).lower()
                parent = window.query_tree().parent
                if not parent or parent.id == self._display.screen().root.id:
                    return window.id, ""
                window = parent
        except self._errors:  # the window closed while we asked
            pass
        return 0, ""


def best_window_probe() -> WindowProbe:
    for backend in (X11WindowProbe, NoWindowProbe):
        if backend.supported():
            try:
                return backend()
            except Exception:  # a display that refuses connections: carry on without focus tracking
                continue
    return NoWindowProbe()
