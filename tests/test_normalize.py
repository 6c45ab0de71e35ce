import pytest

from assistant.core.normalize import MAX_CHARS, normalize_text
from assistant.core.text import other_first_case


def test_mentions_links_and_spaces_are_normalised():
    assert normalize_text("Hi @anna   look https://x.co/a?b=1 now") == "Hi @user look http now"


def test_control_characters_and_lone_surrogates_become_valid_text():
    out = normalize_text("a\x00b\x1bc \ud800 d")
    out.encode("utf-8")  # must not raise
    assert out == "a b c \ufffd d"


def test_emoji_sequences_survive():
    family = "👨\u200d👩\u200d👧\u200d👦"
    assert normalize_text(f"we {family} ❤️") == f"we {family} ❤️"


def test_bidi_marks_dropped_but_rtl_text_kept():
    assert normalize_text("\u202bמזל טוב\u202c") == "מזל טוב"


def test_long_text_is_bounded():
    assert len(normalize_text("x" * 1_000_000)) == MAX_CHARS


def test_whitespace_only_is_empty():
    assert normalize_text(" \t\n ") == ""


@pytest.mark.parametrize("text, other", [
    ("This is disgusting", "this is disgusting"), ("i'm sad", "I'm sad"), ("¡Hola!", "¡hola!"),
    ("«Привет»", "«привет»"), ("😢 My cat", "😢 my cat"), ("Ωραία", "ωραία"),
])
def test_the_first_letter_swaps_case(text, other):
    assert other_first_case(text) == other
    assert other_first_case(other) == text


@pytest.mark.parametrize("text", ["", "123 !!", "好的", "مرحبا", "NOCH 3 TAGE", "OK then", "ßtraße"])
def test_no_other_case_where_the_first_letter_has_none_or_the_word_is_capitals(text):
    assert other_first_case(text) is None
