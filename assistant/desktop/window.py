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
        """(window or process id, a lower-cased name the blocklist matches); (0, "") when unknown.

        The name is WM_CLASS "instance.class" on X11, the bundle id on macOS
        ("org.keepassxc.keepassxc"), the program file on Windows ("keepassxc.exe").
        """


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
        return sys.platform not in ("win32", "darwin") and bool(os.environ.get("DISPLAY")) and _importable("Xlib")

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


class MacWindowProbe(WindowProbe):
    """The frontmost application's bundle id (AppKit, installed with pynput on macOS)."""

    @staticmethod
    def supported() -> bool:
        return sys.platform == "darwin" and _importable("AppKit")

    @staticmethod
    def name() -> str:
        return "macos"

    def focused(self) -> tuple[int, str]:
        import AppKit

        app = AppKit.NSWorkspace.sharedWorkspace().frontmostApplication()
        if app is None:
            return 0, ""
        return int(app.processIdentifier()), str(app.bundleIdentifier() or app.localizedName() or "").lower()


class WindowsWindowProbe(WindowProbe):
    """The foreground window and its program's file name (user32/kernel32 through ctypes)."""

    @staticmethod
    def supported() -> bool:
        return sys.platform == "win32"

    @staticmethod
    def name() -> str:
        return "windows"

    def focused(self) -> tuple[int, str]:
        import ctypes
        from ctypes import wintypes

        user32, kernel32 = ctypes.windll.user32, ctypes.windll.kernel32
        window = user32.GetForegroundWindow()
        if not window:
            return 0, ""
        pid = wintypes.DWORD()
        user32.GetWindowThreadProcessId(window, ctypes.byref(pid))
        process = kernel32.OpenProcess(0x1000, False, pid.value)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not process:
            return int(window), ""
        try:
            size = wintypes.DWORD(1024)
            path = ctypes.create_unicode_buffer(size.value)
            if not kernel32.QueryFullProcessImageNameW(process, 0, path, ctypes.byref(size)):
                return int(window), ""
        finally:
            kernel32.CloseHandle(process)
        return int(window), path.value.rsplit("\\", 1)[-1].lower()  # "keepassxc.exe"


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def best_window_probe() -> WindowProbe:
    for backend in (X11WindowProbe, MacWindowProbe, WindowsWindowProbe, NoWindowProbe):
        if backend.supported():
            try:
                return backend()
            except Exception:  # a display that refuses connections: carry on without focus tracking
                continue
    return NoWindowProbe()
