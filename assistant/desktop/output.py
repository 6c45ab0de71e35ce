"""Typing the picked emoji into the active application.

`KeyboardTypist` sends key events through pynput's Controller (X11 via XTest, macOS via
Quartz, Windows via SendInput); `app.load_gui` has made sure pynput works before one is
made. Tests pass their own recording typist.
"""
from __future__ import annotations

from abc import ABC, abstractmethod



class Typist(ABC):
    @abstractmethod
    def replace(self, erase: int, text: str) -> None:
        """Press Backspace `erase` times, then type `text`."""


class KeyboardTypist(Typist):
    def __init__(self):
        from pynput.keyboard import Controller, Key

        self._keyboard, self._backspace = Controller(), Key.backspace

    def replace(self, erase: int, text: str) -> None:
        for _ in range(erase):
            self._keyboard.tap(self._backspace)
        self._keyboard.type(text)

