"""Shortcodes from localized CLDR names and keywords, plus the usual English aliases."""
import pytest

from assistant.core.lexicon import Lexicon
from assistant.core.shortcodes import ShortcodeIndex
from assistant.desktop.shortcode_trigger import find_shortcode


@pytest.fixture(scope="module")
def index():
    return ShortcodeIndex(Lexicon.load(), ["ru", "de", "es", "fr", "ja", "zh"])


@pytest.mark.parametrize("term, emoji", [
    ("pizza", "🍕"), ("Pizza", "🍕"), ("пицца", "🍕"), ("ピザ", "🍕"), ("披萨", "🍕"),
    ("heart", "❤️"), ("сердце", "❤️"), ("corazón", "❤️"), ("fire", "🔥"), ("fuego", "🔥"),
    ("thumbsup", "👍"), ("sparkling_heart", "💖"), ("tada", "🎉"), ("birthd", "🎂"),
])
def test_lookup(index, term, emoji):
    assert index.lookup(term) == emoji


def test_unknown_terms_give_nothing(index):
    assert index.lookup("qqqxxzz") is None and index.lookup("") is None and index.lookup("  ") is None


def test_languages_not_indexed_are_not_matched():
    english_only = ShortcodeIndex(Lexicon.load(), [])
    assert english_only.lookup("pizza") == "🍕" and english_only.lookup("пицца") is None


@pytest.mark.parametrize("before, trigger, found", [
    ("dinner :pizza:", ":", ("pizza", 7)),
    ("dinner :pizza ", " ", ("pizza", 7)),
    ("dinner :pizza\t", "\t", ("pizza", 7)),
    (":пицца:", ":", ("пицца", 7)),
    ("dinner :pizza", ":", None),       # no trigger yet
    ("at 10:30:", ":", ("30", 4)),      # a time looks like one; lookup("30") then finds no emoji
    ("a :b:", ":", None),               # one letter is too short to mean anything
    ("dinner :pizza ", ":", None),      # a space is not the trigger here
])
def test_find_shortcode(before, trigger, found):
    assert find_shortcode(before, trigger) == found
