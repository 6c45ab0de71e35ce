"""The picker window (the Wayland fallback), on a real Tk under Xvfb."""
import pytest

from assistant.core.assistant import Suggestion
from assistant.core.lexicon import Lexicon
from assistant.core.shortcodes import ShortcodeIndex

try:
    import tkinter as tk
except ImportError:  # a Python without Tk: the needs mark below skips each test (fails it under CI=true)
    tk = Picker = None
else:
    from assistant.desktop.picker import Picker

pytestmark = [pytest.mark.gui, pytest.mark.needs("Xvfb", "Tk")]


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
