import numpy as np
import pytest

from assistant import Assistant, InputError
from assistant.core.assistant import MODEL_ENV, resolve_model_dir


@pytest.fixture(scope="module")
def assistant(tiny_model):
    return Assistant(tiny_model)


def test_suggest_returns_k_ranked_named_emojis(assistant):
    out = assistant.suggest("happy birthday to you my love", k=5)
    assert len(out) == 5
    assert [s.score for s in out] == sorted((s.score for s in out), reverse=True)
    assert all(s.name for s in out)


def test_keyword_fusion_surfaces_emojis_outside_the_label_set(assistant):
    assert "🍕" not in assistant.labels
    assert "🍕" in [s.emoji for s in assistant.suggest("I love pizza", k=3)]
    assert "🥘" in [s.emoji for s in assistant.suggest("Me encanta la paella", k=5)]


@pytest.mark.parametrize("text, lang, emoji", [
    ("I love my dog", "en", "🐕"),  # "dog" is also a keyword of 🐶 🦮 🐕‍🦺 🌭
    ("booked our flights to japan", "en", "🇯🇵"),  # and "japan" of 🗾
    ("mi gato duerme todo el día", "es", "🐈"),
])
def test_a_things_whole_name_shows_it_though_other_emojis_list_the_word(assistant, text, lang, emoji):
    assert emoji not in assistant.labels
    assert emoji in [s.emoji for s in assistant.suggest(text, k=5, lang=lang)]


@pytest.mark.parametrize("text, lang, kind", [
    ("ate an apple for lunch and called it a healthy day", "en", {"🍎", "🍏"}),
    ("después del curro solo quiero una cerveza", "es", {"🍺", "🍻"}),
])
def test_a_word_for_a_kind_of_thing_shows_one_picture_of_it(assistant, text, lang, kind):
    shown = [s.emoji for s in assistant.suggest(text, k=5, lang=lang)]
    assert len(kind & set(shown)) == 1


def test_an_animal_word_written_as_a_place_name_shows_no_animal(assistant):
    shown = [s.emoji for s in assistant.suggest("Happy weekend @ Big Bear Lake", k=5, lang="en")]
    assert "🐻" not in shown
    assert "🐻" in [s.emoji for s in assistant.suggest("we saw a bear on the hike", k=5, lang="en")]


def test_names_follow_the_message_language(assistant):
    es = {s.emoji: s.name for s in assistant.suggest("Me encanta la paella", k=5, lang="es")}
    en = {s.emoji: s.name for s in assistant.suggest("Me encanta la paella", k=5, lang="en")}
    assert es["🥘"] != en.get("🥘", "")


def test_output_is_deterministic(assistant):
    texts = ["good night", "Gute Nacht", "我爱你"]
    assert assistant.suggest_batch(texts) == assistant.suggest_batch(texts)


def test_batch_matches_single_calls_in_input_order(assistant):
    """Same results in input order; int8 activations are scaled per batch, so scores may move slightly."""
    texts = ["a much longer message about the beach and the sun today", "hi", "fire song", ""]
    batch = assistant.suggest_batch(texts, k=3)
    assert [r.text for r in batch] == texts
    for text, result in zip(texts, batch):
        single = assistant.suggest(text, k=3)
        assert len(single) == len(result.suggestions)
        assert [s.score for s in single] == pytest.approx([s.score for s in result.suggestions], abs=0.03)


@pytest.mark.parametrize("text", [
    "", "   \t ", "x" * 1_000_000, "\x00\x01\x1b[31m red", "lone \ud800 surrogate",
    "مرحبا بالعالم كيف حالك", "\u202eright to left override", "👨\u200d👩\u200d👧\u200d👦" * 200, "🍕🍕🍕",
])
def test_bad_input_never_crashes(assistant, text):
    result = assistant.suggest_batch([text])[0]
    assert result.text == text  # nothing lost: the caller's text comes back as given
    assert len(result.suggestions) <= 5


def test_empty_text_gets_no_suggestions(assistant):
    assert assistant.suggest("  ") == []


def test_bad_k_and_language_are_input_errors(assistant):
    with pytest.raises(InputError):
        assistant.suggest("hi", k=0)
    with pytest.raises(InputError, match="not a language code"):
        assistant.suggest("hi", lang="english please")


def test_model_choice_order(monkeypatch, tmp_path):
    monkeypatch.setenv(MODEL_ENV, str(tmp_path / "env"))
    assert resolve_model_dir(tmp_path / "flag") == tmp_path / "flag"
    assert resolve_model_dir() == tmp_path / "env"
    monkeypatch.delenv(MODEL_ENV)
    assert resolve_model_dir().name == "emoji-predictor"


def test_a_message_reads_the_same_whatever_the_case_of_its_first_letter(tiny_model):
    """Phones capitalise a message's first letter: both spellings get the average of the two readings."""
    both, as_written = Assistant(tiny_model), Assistant(tiny_model, both_cases=False)
    upper, lower, _ = both.probabilities(["Sad news today", "sad news today", "好的"], ["en", "en", "zh"])
    assert upper == pytest.approx(lower, abs=1e-6)
    readings = as_written.probabilities(["Sad news today", "sad news today", "好的"], ["en", "en", "zh"])
    assert not np.allclose(readings[0], readings[1])  # the network alone tells the two apart
    # int8 activations are scaled per batch: the same reading in another batch may move slightly
    assert upper == pytest.approx((readings[0] + readings[1]) / 2, abs=0.02)
    assert both.probabilities(["好的"], ["zh"])[0] == pytest.approx(readings[2], abs=0.02)  # no case: one reading
