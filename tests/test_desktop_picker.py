"""The picker window (the Wayland fallback), on a real Tk under Xvfb."""
import shutil
import tkinter as tk

import pytest

from assistant.assistant import Suggestion
from assistant.desktop.picker import Picker
from assistant.desktop.shortcodes import ShortcodeIndex
from assistant.lexicon import Lexicon

pytestmark = pytest.mark.gui
if not shutil.which("Xvfb"):
    pytest.skip("needs Xvfb: apt-get install xvfb", allow_module_level=True)


def fake_suggest(text, k):
    return [Suggestion("😂", .5, "face with tears of joy"), Suggestion("🍕", .3, "pizza")][:k]


@pytest.fixture
def picker(xvfb_display, monkeypatch):
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    root = tk.Tk(screenName=xvfb_display)
    yield Picker(root, fake_suggest, ShortcodeIndex(Lexicon.load(), ["ru"]), top_k=3)
    try:
        root.destroy()
    except tk.TclError:
        pass


def test_a_name_comes_first_and_enter_copies_it(picker):
    picker.query.set("пицца")
    picker.pick(1)
    assert picker.picked == "🍕" and picker.root.clipboard_get() == "🍕"
    assert picker.root.state() == "withdrawn"  # hidden, still serving the clipboard


def test_sentences_get_model_suggestions_without_duplicates(picker):
    picker.query.set("pizza")
    picker.search()
    assert [e for e, _ in picker.choices] == ["🍕", "😂"]
    picker.query.set("what a day")
    picker.search()
    assert [e for e, _ in picker.choices] == ["😂", "🍕"]
    picker.pick(2)
    assert picker.root.clipboard_get() == "🍕"


def test_nothing_typed_picks_nothing(picker):
    picker.pick(1)
    assert picker.picked is None and picker.choices == []
