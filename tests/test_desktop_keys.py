"""KeyTranslator: pynput-shaped keys → events; shortcuts, hotkeys, pause, the helper's own typing."""
import queue
from types import SimpleNamespace

import pytest

from assistant.desktop.keys import Hotkey, KeyTranslator, key_char


def named(name):  # like pynput's Key.backspace
    return SimpleNamespace(name=name, char=None, vk=None)


def char(c, **extra):  # like pynput's KeyCode.from_char
    return SimpleNamespace(name=None, char=c, vk=None, **extra)


def translator(**kwargs):
    events = queue.Queue()
    return KeyTranslator(events, **kwargs), events


def drain(events):
    out = []
    while not events.empty():
        e = events.get_nowait()
        out.append((e.kind, e.value))
    return out


def tap(t, key):
    t.on_press(key)
    t.on_release(key)


def test_characters_edits_and_resets():
    t, events = translator()
    for key in [char("h"), char("и"), named("space"), named("backspace"), named("left"), named("delete"),
                named("enter"), named("esc")]:
        tap(t, key)
    assert drain(events) == [("text", "h"), ("text", "и"), ("text", " "), ("edit", "backspace"), ("edit", "left"),
                             ("edit", "delete"), ("reset", "enter"), ("reset", "esc")]


def test_shift_types_text_but_ctrl_and_alt_are_shortcuts():
    t, events = translator()
    t.on_press(named("shift"))
    tap(t, char("A"))
    t.on_release(named("shift"))
    t.on_press(named("ctrl_l"))
    tap(t, char("v"))  # paste: the text is no longer known
    t.on_release(named("ctrl_l"))
    assert drain(events) == [("text", "A"), ("reset", "shortcut")]


def test_alt_gr_characters_are_text():
    t, events = translator()
    t.on_press(named("alt_gr"))
    tap(t, char("€"))
    assert drain(events) == [("text", "€")]


def test_dead_keys_pass_their_combining_mark():
    t, events = translator()
    tap(t, char("´", is_dead=True, combining="\u0301"))
    tap(t, char("e"))
    assert drain(events) == [("dead", "\u0301"), ("text", "e")]


def test_unicode_keysyms_without_a_char_are_read_from_the_key_code():
    assert key_char(SimpleNamespace(name=None, char=None, vk=0x01000000 + ord("п"))) == "п"
    assert key_char(SimpleNamespace(name=None, char=None, vk=0x41)) is None  # a Windows virtual key, not text
    # Latin-1 punctuation sent as a Unicode keysym (an XTest typist's spare key): the comma is not lost
    assert key_char(SimpleNamespace(name=None, char=None, vk=0x01000000 + ord(","))) == ","
    assert key_char(SimpleNamespace(name=None, char=None, vk=0x01000000 + ord("é"))) == "é"
    assert key_char(SimpleNamespace(name=None, char=None, vk=0x01000000 + 0x1B)) is None  # a control code, not text


def test_pick_hotkey_fires_when_the_modifier_is_released():
    t, events = translator(top_k=5)
    t.on_press(named("alt_l"))
    tap(t, char("2"))
    assert drain(events) == []  # Alt still down: typing now would send Alt+emoji to the app
    t.on_release(named("alt_l"))
    assert drain(events) == [("pick", "2")]


def test_pick_digits_beyond_top_k_are_shortcuts():
    t, events = translator(top_k=3)
    t.on_press(named("alt"))
    tap(t, char("7"))
    t.on_release(named("alt"))
    assert drain(events) == [("reset", "shortcut")]


def test_pause_hotkey_toggles_and_paused_keys_are_dropped():
    t, events = translator(pause_hotkey="<ctrl>+<alt>+e")
    t.on_press(named("ctrl"))
    t.on_press(named("alt"))
    tap(t, char("e"))
    t.on_release(named("alt"))
    t.on_release(named("ctrl"))
    for c in "secret":
        tap(t, char(c))
    t.on_click(5, 5, None, True)
    assert drain(events) == [("pause", "on")]
    t.on_press(named("ctrl"))
    t.on_press(named("alt"))
    tap(t, char("e"))
    t.on_release(named("alt"))
    t.on_release(named("ctrl"))
    tap(t, char("x"))
    assert drain(events) == [("pause", "off"), ("text", "x")]


@pytest.mark.parametrize("trigger, key, expected", [
    (":", char(":"), ("trigger", ":")),
    ("space", named("space"), ("trigger", " ")),
    ("tab", named("tab"), ("trigger", "\t")),
    (":", named("tab"), ("reset", "tab")),
])
def test_shortcode_trigger_keys(trigger, key, expected):
    t, events = translator(shortcode_trigger=trigger)
    tap(t, key)
    assert drain(events) == [expected]


def test_the_helpers_own_typing_is_skipped_and_nothing_else():
    t, events = translator()
    t.expect(["backspace", "backspace", "char"])
    tap(t, named("backspace"))
    tap(t, named("backspace"))
    tap(t, SimpleNamespace(name=None, char=None, vk=0))  # how an emoji typed through a borrowed key comes back
    tap(t, char("a"))  # the user's next key counts again
    assert drain(events) == [("text", "a")]


def test_expected_presses_that_never_come_expire():
    t, events = translator()
    t.expect(["char"], within_s=-1)
    tap(t, char("a"))
    assert drain(events) == [("text", "a")]


def test_injected_events_are_ignored():
    t, events = translator()
    t.on_press(char("a"), True)
    assert drain(events) == []


def test_clicks_carry_their_position():
    t, events = translator()
    t.on_click(10, 20, None, True)
    t.on_click(10, 20, None, False)
    event = events.get_nowait()
    assert (event.kind, event.point) == ("reset", (10, 20)) and events.empty()


def test_hotkey_parsing():
    assert Hotkey.parse("<ctrl>+<alt>+e") == Hotkey(frozenset({"ctrl", "alt"}), "e")
    assert Hotkey.parse("<super>+<f9>") == Hotkey(frozenset({"cmd"}), "f9")
    with pytest.raises(ValueError, match="unknown modifier"):
        Hotkey.parse("<hyper>+e")
    with pytest.raises(ValueError, match="empty"):
        Hotkey.parse("")
    with pytest.raises(ValueError, match="would fire while typing"):
        Hotkey.parse("<shift>+e")


def test_a_pause_hotkey_without_modifiers():
    t, events = translator(pause_hotkey="<f9>")
    tap(t, named("f9"))
    assert drain(events) == [("pause", "on")]
