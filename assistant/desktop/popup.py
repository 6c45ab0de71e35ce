"""The suggestion popup: a small borderless always-on-top Tk window near the pointer.

It never takes the keyboard focus (override-redirect windows are not focused by window
managers, and it never asks for focus), so typing goes on in the application underneath.
"""
from __future__ import annotations

import tkinter as tk
from typing import Callable

TITLE = "emoji-assistant suggestions"
OFFSET = 18  # pixels right of and below the pointer, so it does not cover what is clicked


class Popup:
    def __init__(self, root: tk.Tk, on_pick: Callable[[int], None], *, hotkey_label: str = "Alt"):
        self.on_pick, self.hotkey_label = on_pick, hotkey_label
        self.window = tk.Toplevel(root)
        self.window.withdraw()
        self.window.title(TITLE)
        self.window.overrideredirect(True)
        self.window.attributes("-topmost", True)
        self.frame = tk.Frame(self.window, background="#ffffff", highlightthickness=1, highlightbackground="#888888")
        self.frame.pack()
        self.visible = False
        self.items: list[tuple[str, str]] = []

    def show(self, items: list[tuple[str, str]]) -> None:
        for child in self.frame.winfo_children():
            child.destroy()
        self.items = items
        for i, (emoji, name) in enumerate(items, start=1):
            row = tk.Label(self.frame, text=f"{self.hotkey_label}+{i}   {emoji}  {name}", anchor="w",
                           background="#ffffff", padx=8, pady=2, cursor="hand2")
            row.pack(fill="x")
            row.bind("<Button-1>", lambda _event, n=i: self.on_pick(n))
        x, y = self.window.winfo_pointerxy()
        self.window.geometry(f"+{x + OFFSET}+{y + OFFSET}")
        self.window.deiconify()
        self.window.lift()
        self.window.update_idletasks()
        self.visible = True

    def hide(self) -> None:
        if self.visible:
            self.window.withdraw()
            self.visible = False

    def contains(self, point: tuple[int, int]) -> bool:
        if not self.visible:
            return False
        x, y = self.window.winfo_rootx(), self.window.winfo_rooty()
        return x <= point[0] < x + self.window.winfo_width() and y <= point[1] < y + self.window.winfo_height()
