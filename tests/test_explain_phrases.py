"""Ritual phrases for the explain model: counted from text, and the listed greetings."""
from collections import Counter

from training.explain.phrases import PhraseConfig, count_pairs, forms_of, phrases
from training.explain.rituals import RITUALS, neighbours, ritual_rows, ritual_sentences


def test_a_form_shares_most_of_its_stem():
    assert forms_of("noches", {"noche", "luna"}, "es") == "noche"
    assert forms_of("ночи", {"ночь"}, "ru") == "ночь"
    assert forms_of("nocturno", {"noche"}, "es") is None  # "noc" is too little of either
    assert forms_of("晚", {"晚上"}, "zh") is None  # Chinese: whole terms only


def test_pairs_far_above_chance_become_phrases(tmp_path):
    text = ["buenas noches amigos", "buenas noches a todos", "buenas noches", "la noche es larga",
            "la casa es grande", "la mesa", "la luna", "la cena"] * 3
    (tmp_path / "es.txt").write_text("\n".join(text), encoding="utf-8")
    pairs, left, right = count_pairs([tmp_path / "es.txt"], "es")
    assert pairs[("buenas", "noches")] == 9
    found = phrases(pairs, left, right, {"🌙": ["luna creciente", "noche"], "🏠": ["casa"]},
                    frozenset({"la", "a", "es"}), "es", PhraseConfig(min_count=3, min_pmi=1.0))
    assert ["buenas", "noches", "before", 9] in found["🌙"]
    assert all(row[0] != "la" for rows in found.values() for row in rows)  # no stop word as the neighbour


def test_ritual_templates_give_the_neighbour_of_the_slot():
    assert neighbours("frohe {}") == ("frohe", "")
    assert neighbours("{}节快乐") == ("", "节")
    assert neighbours("alles gute zum {}") == ("zum", "")
    assert ["frohe", "Weihnachten", "before", 0] in ritual_rows("de")["🎄"]
    assert ["安", "晚", "after", 0] in ritual_rows("zh")["🌙"]


def test_every_ritual_is_well_formed():
    from assistant.core.emojis import is_emoji

    for lang, rows in RITUALS.items():
        for template, emojis, word in rows:
            assert template.count("{}") == 1 and word and all(is_emoji(e) for e in emojis), (lang, template)
    sentences = ritual_sentences("fr")
    assert ("joyeux Noël", "🎄", "Noël") in sentences  # proper nouns keep their capital
    assert Counter(lang for lang in RITUALS) and set(RITUALS) == {"en", "es", "de", "fr", "ru", "zh"}


def test_a_word_with_two_matching_terms_takes_the_same_one_every_time():
    assert forms_of("nochez", {"nochey", "nochea", "noches"}, "es") == "nochea"
