"""`emoji-assistant desktop pick`: a small search window for a desktop keyboard shortcut.

The fallback where the background helper cannot see keys (native Wayland applications):
bind a shortcut in the desktop's settings to this command, type a few words or a name,
and Enter (or Alt+1 … 5, or a click) copies the emoji to the clipboard; paste it anywhere.
On Wayland `wl-copy` is used when installed; otherwise Tk's clipboard, which this window
keeps serving for a while after it hides, because an X11 clipboard lives in its owner.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tkinter as tk

from assistant.core import ShortcodeIndex

SEARCH_DELAY_MS = 120
SERVE_CLIPBOARD_S = 120  # how long the hidden window keeps the X11 clipboard alive


class Picker:
    def __init__(self, root: tk.Tk, suggest, shortcodes: ShortcodeIndex | None, *, top_k: int = 5):
        self.root, self.suggest, self.shortcodes, self.top_k = root, suggest, shortcodes, top_k
        self.choices: list[tuple[str, str]] = []
        self.picked: str | None = None
        root.title("emoji-assistant picker")
        root.attributes("-topmost", True)
        self.query = tk.StringVar()
        entry = tk.Entry(root, textvariable=self.query, width=40)
        entry.pack(fill="x", padx=6, pady=6)
        self.list = tk.Frame(root)
        self.list.pack(fill="both", padx=6, pady=(0, 6))
        self._pending = None
        self.query.trace_add("write", lambda *_: self._schedule())
        entry.bind("<Return>", lambda _e: self.pick(1))
        entry.bind("<Escape>", lambda _e: root.destroy())
        for n in range(1, top_k + 1):
            entry.bind(f"<Alt-Key-{n}>", lambda _e, n=n: self.pick(n))
        entry.focus_force()

    def _schedule(self) -> None:
        if self._pending:
            self.root.after_cancel(self._pending)
        self._pending = self.root.after(SEARCH_DELAY_MS, self.search)

    def search(self) -> None:
        text = self.query.get().strip()
        choices: list[tuple[str, str]] = []
        if self.shortcodes and text and " " not in text:  # one word may be a name: "pizza", ":пицца"
            found = self.shortcodes.lookup(text.strip(":"))
            if found:
                choices.append((found, text.strip(":")))
        if text:
            choices += [(s.emoji, s.name) for s in self.suggest(text, self.top_k)]
        self.choices = list(dict(choices).items())[:self.top_k]  # first occurrence of each emoji wins
        for child in self.list.winfo_children():
            child.destroy()
        for n, (emoji, name) in enumerate(self.choices, start=1):
            row = tk.Label(self.list, text=f"Alt+{n}   {emoji}  {name}", anchor="w", cursor="hand2")
            row.pack(fill="x")
            row.bind("<Button-1>", lambda _e, n=n: self.pick(n))

    def pick(self, n: int) -> None:
        self.search()  # Enter right after typing: use what is in the box now
        if not 1 <= n <= len(self.choices):
            return
        self.picked = self.choices[n - 1][0]
        if os.environ.get("WAYLAND_DISPLAY") and shutil.which("wl-copy"):
            subprocess.run(["wl-copy", self.picked], check=False)
            self.root.destroy()
            return
        self.root.clipboard_clear()
        self.root.clipboard_append(self.picked)
        self.root.withdraw()
        self.root.after(SERVE_CLIPBOARD_S * 1000, self.root.destroy)


def run_picker(config) -> str | None:
    """Show the picker until a pick or Escape; returns the emoji picked, if any."""
    from assistant.core import Assistant

    from .app import load_gui, suggester

    load_gui()
    root = tk.Tk(className="emoji-assistant-picker")
    assistant = Assistant(config.model)
    picker = Picker(root, suggester(assistant, config.languages), assistant.shortcodes(config.user_languages()),
                    top_k=config.top_k)
    root.mainloop()
    return picker.picked
