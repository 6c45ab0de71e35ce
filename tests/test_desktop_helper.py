"""DesktopHelper with fakes at its edges: a recording popup and typist, a manual clock."""
import queue
import sqlite3
from types import SimpleNamespace

import pytest

from assistant.core.assistant import Suggestion
from assistant.core.lexicon import Lexicon
from assistant.core.shortcodes import ShortcodeIndex
from assistant.desktop.desktop_settings import DesktopConfig
from assistant.desktop.helper import DesktopHelper
from assistant.desktop.keys import Event, KeyTranslator
from assistant.desktop.picks import PickHistory, forget_picks
from assistant.desktop.window import WindowProbe


class FakePopup:
    def __init__(self):
        self.visible, self.shown = False, []

    def show(self, items):
        self.visible = True
        self.shown.append([emoji for emoji, _ in items])

    def hide(self):
        self.visible = False

    def contains(self, point):
        return self.visible and point == (500, 500)


class RecordingTypist:
    def __init__(self):
        self.calls = []

    def replace(self, erase, text):
        self.calls.append((erase, text))


class FakeWindow(WindowProbe):
    def __init__(self):
        self.current = (1, "textfield.textfield")

    @staticmethod
    def supported():
        return True

    @staticmethod
    def name():
        return "fake"

    def focused(self):
        return self.current


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def fake_suggest(sentence, k):
    """Stands in for the model: food words → food emojis, anything else → smileys."""
    if "pizza" in sentence:
        ranked = [("🍕", .5, "pizza"), ("😍", .2, "heart eyes"), ("❤️", .1, "red heart")]
    else:
        ranked = [("😂", .4, "tears of joy"), ("😊", .3, "smiling eyes"), ("👍", .2, "thumbs up")]
    return [Suggestion(e, s, n) for e, s, n in ranked][:k]


@pytest.fixture
def rig():
    clock, popup, typist, window = Clock(), FakePopup(), RecordingTypist(), FakeWindow()
    config = DesktopConfig(debounce_ms=200, top_k=3, popup_timeout_s=4)
    translator = KeyTranslator(queue.Queue(), top_k=3)
    helper = DesktopHelper(fake_suggest, config, popup=popup, typist=typist, translator=translator,
                           window=window, clock=clock,
                           shortcodes=ShortcodeIndex(Lexicon.load(), ["ru"]))
    return SimpleNamespace(helper=helper, clock=clock, popup=popup, typist=typist, window=window, config=config)


def type_text(rig, text):
    for ch in text:
        kind = "trigger" if ch == ":" else "text"
        rig.helper.process(Event(kind, ch, at=rig.clock.now))
        rig.clock.now += 0.05
        rig.helper.poll()


def settle(rig, seconds=0.3):
    rig.clock.now += seconds
    rig.helper.poll()


def test_suggestions_wait_for_the_debounce(rig):
    type_text(rig, "I love pizza")
    assert rig.popup.shown == []  # keys came every 50 ms: never quiet for 200 ms
    rig.clock.now += 0.1
    rig.helper.poll()
    assert rig.popup.shown == []
    settle(rig, 0.11)
    assert rig.popup.shown == [["🍕", "😍", "❤️"]]
    assert rig.helper.latencies_ms and abs(rig.helper.latencies_ms[-1] - (0.01 + 0.05) * 1000) < 1


def test_too_little_text_gives_no_popup(rig):
    type_text(rig, "hi")
    settle(rig)
    assert rig.popup.shown == [] and not rig.popup.visible


def test_a_pick_types_the_emoji_and_continues_the_sentence(rig):
    type_text(rig, "I love pizza")
    settle(rig)
    rig.helper.process(Event("pick", "1"))
    assert rig.typist.calls == [(0, "🍕")]
    assert rig.helper.buffer.text == "I love pizza🍕" and not rig.popup.visible


def test_a_pick_without_a_popup_or_out_of_range_types_nothing(rig):
    rig.helper.process(Event("pick", "1"))
    type_text(rig, "I love pizza")
    settle(rig)
    rig.helper.process(Event("pick", "3"))
    rig.helper.process(Event("pick", "4"))
    assert rig.typist.calls == [(0, "❤️")]


def test_popup_hides_itself(rig):
    type_text(rig, "I love pizza")
    settle(rig)
    assert rig.popup.visible
    settle(rig, 4.1)
    assert not rig.popup.visible


def test_shortcodes_are_replaced_in_english_and_russian(rig):
    type_text(rig, "dinner :pizza:")
    assert rig.typist.calls == [(7, "🍕")] and rig.helper.buffer.text == "dinner 🍕"
    type_text(rig, " и :пицца:")
    assert rig.typist.calls[-1] == (7, "🍕") and rig.helper.buffer.text == "dinner 🍕 и 🍕"


def test_unknown_shortcodes_and_times_stay_as_typed(rig):
    type_text(rig, "at 10:30 :nosuchemojiword:")
    assert rig.typist.calls == [] and rig.helper.buffer.text == "at 10:30 :nosuchemojiword:"


def test_the_helpers_own_keys_are_not_read_back_as_typing(rig):
    type_text(rig, "dinner :pizza:")
    translator = rig.helper.translator
    for _ in range(7):
        translator.on_press(SimpleNamespace(name="backspace", char=None, vk=None))
    translator.on_press(SimpleNamespace(name=None, char=None, vk=0))
    assert translator.events.empty()


def test_escape_click_and_focus_change_start_over(rig):
    type_text(rig, "I love pizza")
    rig.helper.process(Event("reset", "esc"))
    assert rig.helper.buffer.text == ""
    type_text(rig, "abc")
    rig.helper.process(Event("reset", "click", point=(3, 3)))
    assert rig.helper.buffer.text == ""
    type_text(rig, "abc")
    rig.window.current = (2, "other.app")
    type_text(rig, "d")
    assert rig.helper.buffer.text == "d"


def test_a_click_on_the_popup_keeps_it(rig):
    type_text(rig, "I love pizza")
    settle(rig)
    rig.helper.process(Event("reset", "click", point=(500, 500)))
    assert rig.popup.visible and rig.helper.buffer.text == "I love pizza"


def test_blocklisted_applications_are_not_read(rig):
    rig.window.current = (7, "keepassxc.keepassxc")
    type_text(rig, "hunter2 is my password")
    settle(rig)
    assert rig.helper.buffer.text == "" and rig.popup.shown == []


def test_pause_drops_the_text_and_hides_the_popup(rig):
    type_text(rig, "I love pizza")
    settle(rig)
    rig.helper.process(Event("pause", "on"))
    assert rig.helper.paused and rig.helper.buffer.text == "" and not rig.popup.visible
    type_text(rig, "more text")
    settle(rig)
    assert rig.helper.buffer.text == "" and len(rig.popup.shown) == 1
    rig.helper.process(Event("pause", "off"))
    type_text(rig, "I love pizza")
    settle(rig)
    assert len(rig.popup.shown) == 2


def test_personal_ranking_moves_favourites_up_and_stores_no_text(rig, tmp_path):
    rig.helper.picks = PickHistory(tmp_path / "picks.db")
    for _ in range(12):
        rig.helper.process(Event("reset", "enter"))
        type_text(rig, "I love pizza")
        settle(rig)
        rig.helper.process(Event("pick", str(rig.popup.shown[-1].index("😍") + 1)))  # always 😍
    rig.helper.process(Event("reset", "enter"))
    type_text(rig, "I love pizza")
    settle(rig)
    assert rig.popup.shown[0] == ["🍕", "😍", "❤️"] and rig.popup.shown[-1] == ["😍", "🍕", "❤️"]
    rig.helper.picks.close()
    rows = sqlite3.connect(tmp_path / "picks.db").execute("SELECT * FROM picks").fetchall()
    assert [(emoji, count) for emoji, count, _ in rows] == [("😍", 12)]
    assert b"pizza" not in (tmp_path / "picks.db").read_bytes()
    assert forget_picks(tmp_path / "picks.db") and not (tmp_path / "picks.db").exists()
    assert not forget_picks(tmp_path / "picks.db")


def test_picks_are_not_remembered_unless_asked(rig, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    type_text(rig, "I love pizza")
    settle(rig)
    rig.helper.process(Event("pick", "1"))
    assert rig.helper.picks is None and list(tmp_path.iterdir()) == []

