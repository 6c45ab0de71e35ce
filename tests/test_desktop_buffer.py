"""TypingBuffer mirrors a text field: typing, editing keys, dead keys, input-method commits."""
import pytest

from assistant.desktop.buffer import MAX_CHARS, TypingBuffer, grapheme_end, grapheme_start

ACUTE, GRAVE, DIAERESIS, CEDILLA = "\u0301", "\u0300", "\u0308", "\u0327"


def typed(*chars: str) -> TypingBuffer:
    buffer = TypingBuffer()
    for ch in chars:
        buffer.insert(ch)
    return buffer


def test_typing_and_backspace():
    buffer = typed(*"I love pizzq")
    buffer.backspace()
    buffer.insert("a")
    assert (buffer.text, buffer.cursor) == ("I love pizza", 12)


def test_backspace_at_the_start_does_nothing():
    buffer = TypingBuffer()
    buffer.backspace()
    buffer.delete()
    assert (buffer.text, buffer.cursor) == ("", 0)


def test_cursor_keys_insert_in_the_middle():
    buffer = typed(*"I pizza")
    for _ in range(5):
        buffer.move("left")
    buffer.insert("love ")
    assert buffer.text == "I love pizza" and buffer.cursor == 7
    buffer.move("end")
    buffer.insert("!")
    buffer.move("home")
    buffer.delete()
    assert buffer.text == " love pizza!" and buffer.cursor == 0
    buffer.move("right")
    buffer.backspace()
    assert buffer.text == "love pizza!"


def test_cursor_stays_inside_the_text():
    buffer = typed(*"ab")
    for _ in range(5):
        buffer.move("right")
    assert buffer.cursor == 2
    for _ in range(5):
        buffer.move("left")
    assert buffer.cursor == 0


@pytest.mark.parametrize("text", ["Я люблю пиццу", "我们明天去海边吧", "أحب البيتزا", "पिज़्ज़ा पसंद है", "ピザが大好き"])
def test_non_latin_text_is_kept_exactly(text):
    buffer = typed(*text)
    assert buffer.text == text and buffer.sentence() == text


def test_backspace_removes_one_cyrillic_letter():
    buffer = typed(*"пиццы")
    buffer.backspace()
    buffer.insert("а")
    assert buffer.text == "пицца"


@pytest.mark.parametrize("mark, letter, expected", [
    (ACUTE, "e", "é"), (GRAVE, "a", "à"), (DIAERESIS, "u", "ü"), (CEDILLA, "c", "ç"), (ACUTE, "E", "É"),
])
def test_dead_key_composes_with_the_next_letter(mark, letter, expected):
    buffer = typed(*"caf")
    buffer.dead_key(mark)
    buffer.insert(letter)
    assert buffer.text == "caf" + expected and len(buffer.text) == 4


def test_dead_key_then_space_types_the_accent_and_backspace_cancels_it():
    buffer = TypingBuffer()
    buffer.dead_key(ACUTE)
    buffer.insert(" ")
    assert buffer.text == "´"
    buffer.dead_key(ACUTE)
    buffer.backspace()  # cancels the pending accent, the text stays
    buffer.insert("x")
    assert buffer.text == "´x"


def test_dead_key_that_does_not_compose_keeps_both():
    buffer = TypingBuffer()
    buffer.dead_key(ACUTE)
    buffer.insert("q")
    assert buffer.text == "q" + ACUTE


def test_input_method_commits_arrive_whole():
    buffer = typed("我", "们")
    buffer.insert("明天去海边吧")  # an IME commits a phrase at once
    assert buffer.text == "我们明天去海边吧"
    buffer.backspace()
    assert buffer.text == "我们明天去海边"


def test_backspace_removes_whole_emoji_sequences():
    for emoji in ["👩‍👩‍👧‍👦", "👍🏽", "🇩🇪", "❤️", "1️⃣", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "é"]:
        buffer = typed("a", emoji)
        buffer.backspace()
        assert buffer.text == "a", emoji


def test_cursor_moves_over_whole_emoji_and_flags():
    text = "a🇫🇷🇩🇪b"
    assert grapheme_start(text, len(text) - 1) == 3  # the German flag starts after the French one
    assert grapheme_end(text, 1) == 3
    buffer = typed(*text)
    buffer.move("left")
    buffer.move("left")
    buffer.delete()
    assert buffer.text == "a🇫🇷b"


def test_reset_and_sentence():
    buffer = typed(*"Good morning. I love pizza")
    assert buffer.sentence() == "I love pizza"
    buffer.insert(".")
    assert buffer.sentence() == "I love pizza."  # just finished: still that sentence
    buffer.insert(" Bye")
    assert buffer.sentence() == "Bye"
    buffer.reset()
    assert (buffer.text, buffer.cursor, buffer.dead, buffer.sentence()) == ("", 0, None, "")


def test_sentence_is_the_text_before_the_cursor():
    buffer = typed(*"I love pizza")
    buffer.move("home")
    assert buffer.sentence() == ""


def test_long_typing_keeps_only_the_recent_text():
    buffer = typed(*("x" * (MAX_CHARS + 50)))
    buffer.insert("end")
    assert len(buffer.text) == MAX_CHARS and buffer.text.endswith("end") and buffer.cursor == MAX_CHARS


def test_replace_before_cursor():
    buffer = typed(*"dinner :pizza:")
    buffer.replace_before_cursor(7, "🍕")
    assert buffer.text == "dinner 🍕" and buffer.cursor == len("dinner 🍕")
