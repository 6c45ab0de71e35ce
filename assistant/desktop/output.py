"""Typing the picked emoji into the active application.

`KeyboardTypist` sends key events through pynput's Controller (X11 via XTest, macOS via
Quartz, Windows via SendInput). `NoTypist` is the last resort: it raises a readable error
on use. Tests pass their own recording typist.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

from ..errors import AssistantError


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


class NoTypist(Typist):
    def replace(self, erase: int, text: str) -> None:
        raise AssistantError("no way to type into other applications here (pynput could not load); "
                             "copy the emoji from the popup instead, or run under X11, macOS or Windows")
