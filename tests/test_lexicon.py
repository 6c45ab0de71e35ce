"""The shipped CLDR lexicon, its keyword matching, and the generator's parsing (no npm, no network)."""
import gzip
import json

import pytest

from assistant.core.errors import InputError
from assistant.core.lexicon import MAX_CHARS, Lexicon
from assistant.core import inflections
from assistant.core.text import names_in
from training import build_inflections, build_lexicon


@pytest.fixture(scope="module")
def lexicon():
    return Lexicon.load()


# --- the shipped data -------------------------------------------------------------------------

def test_shipped_lexicon_covers_enough_emojis_and_languages(lexicon):
    assert len(lexicon) >= 1800
    assert len(lexicon.languages) >= 30
    assert {"en", "es", "de", "fr", "ru", "zh", "ja", "ar", "hi", "no"} <= set(lexicon.languages)
    assert lexicon.cldr_version.split(".")[0].isdigit()
    localized = {lang: sum(lexicon.name(e, lang) != lexicon.name(e) for e in lexicon.emojis) for lang in lexicon.languages}
    well_named = [lang for lang, count in localized.items() if count > 0.5 * len(lexicon)]
    assert len(well_named) >= 30, well_named


def test_load_is_cached(lexicon):
    assert Lexicon.load() is lexicon


def test_variation_selector_and_skin_tone_give_one_entry(lexicon):
    assert lexicon.name("❤") == lexicon.name("❤️") == "red heart"
    assert lexicon.keywords("❤", "de") == lexicon.keywords("❤️", "de")
    assert lexicon.name("👍🏽", "es") == lexicon.name("👍", "es")
    assert "❤️" in lexicon.emojis and "❤" not in lexicon.emojis


@pytest.mark.parametrize("emoji, lang, name", [
    ("❤️", "es", "corazón rojo"),
    ("🍕", "de", "Pizza"),
    ("🍕", "ru", "пицца"),
    ("🍕", "zh", "披萨"),
    ("🍕", "zh-Hant", "披薩"),
    ("🍕", "ja", "ピザ"),
    ("🇩🇪", "es", "Bandera: Alemania"),  # derived annotations: flags
])
def test_localized_names(lexicon, emoji, lang, name):
    assert lexicon.name(emoji, lang) == name


def test_keywords_are_localized(lexicon):
    assert "paella" in lexicon.keywords("🥘", "es")
    assert "pizza" in lexicon.keywords("🍕")


def test_fallbacks(lexicon):
    assert lexicon.name("🍕", "xx") == "pizza"  # unknown language → English
    assert lexicon.keywords("🍕", "xx") == lexicon.keywords("🍕", "en")
    assert lexicon.name("not an emoji") == ""
    assert lexicon.keywords("not an emoji") == []


@pytest.mark.parametrize("code, expected", [
    ("pt-BR", "pt"), ("nb", "no"), ("zh-TW", "zh-Hant"), ("zh_Hant", "zh-Hant"), ("zh-CN", "zh"),
    ("EN", "en"), ("iw", "he"), ("tl", "fil"), ("xx", None), ("", None),
])
def test_language_codes(lexicon, code, expected):
    assert lexicon.language(code) == expected


# --- match ------------------------------------------------------------------------------------

def test_english_keyword_ranks_pizza_first(lexicon):
    scores = lexicon.match("I love pizza", "en")
    assert list(scores)[:3].count("🍕") == 1
    assert list(scores)[0] == "🍕"


@pytest.mark.parametrize("text, lang, emoji", [
    ("Me encanta la paella", "es", "🥘"),
    ("Я люблю пиццу", "ru", "🍕"),  # inflected form
    ("我喜欢吃披萨", "zh", "🍕"),  # no spaces: substring match
    ("ピザが大好き", "ja", "🍕"),
    ("나는 피자를 좋아해", "ko", "🍕"),  # particle glued to the noun
    ("أحب البيتزا", "ar", "🍕"),  # article glued to the noun
    ("Ich liebe Pizza und Bier", "de", "🍺"),
    ("Joyeux anniversaire", "fr", "🎂"),
    ("Me encanta la pizza", "es-MX", "🍕"),
    ("Ich liebe Pizza", "xx", "🍕"),  # unknown language: English keywords
])
def test_localized_keywords_match(lexicon, text, lang, emoji):
    assert emoji in list(lexicon.match(text, lang))[:5]


def test_english_words_in_other_languages_match_weaker(lexicon):
    mixed = lexicon.match("Ce soir pizza", "fr")  # "pizza" is also a French keyword
    english_only = lexicon.match("c'est trop cute", "fr")
    assert "🍕" in mixed
    assert english_only and max(english_only.values()) < 1.0


def test_scores_are_sorted_bounded_and_limited(lexicon):
    scores = lexicon.match("happy birthday party with cake, balloons and gifts", "en", limit=7)
    assert 0 < len(scores) <= 7
    values = list(scores.values())
    assert values == sorted(values, reverse=True)
    assert all(0.0 < v <= 1.0 for v in values)
    assert lexicon.match("pizza", "en", limit=0) == {}


def test_rare_keywords_outweigh_common_ones(lexicon):
    face = lexicon.match("face", "en")  # a keyword of 150+ emojis
    pizza = lexicon.match("pizza", "en")
    assert len(face) == 20 and max(face.values()) < 0.3 * pizza["🍕"]
    assert list(lexicon.match("face pizza", "en"))[0] == "🍕"


@pytest.mark.parametrize("text, lang, thing, sharing", [
    ("I love my dog", "en", "🐕", "🐶"),  # "dog" is 🐕's name and a keyword of 🐶 🦮 🐕‍🦺 🌭
    ("booked our flights to japan", "en", "🇯🇵", "🗾"),  # 🗾 "map of Japan"
    ("mi gato duerme todo el día", "es", "🐈", "🐱"),
    ("моя собака заболела", "ru", "🐕", "🐶"),
])
def test_a_word_that_is_a_things_whole_name_names_it_though_others_list_it(lexicon, text, lang, thing, sharing):
    scores = lexicon.match(text, lang)
    assert list(scores)[0] == thing and scores[thing] >= 0.9  # as clearly as "pizza" names 🍕
    assert scores.get(sharing, 0.0) < 0.9  # the emojis that only list the word stay as they were


@pytest.mark.parametrize("text, lang, kind", [
    ("ate an apple for lunch", "en", {"🍎", "🍏"}),  # 🍎 red apple, 🍏 green apple
    ("solo quiero una cerveza", "es", {"🍺", "🍻"}),  # jarra de cerveza, jarras de cerveza brindando
    ("мы видели кита, нет, двух китов", "ru", {"🐋", "🐳"}),  # the dictionary's forms of "кит" too
    ("we saw a whale", "en", {"🐋", "🐳"}),  # 🐋 whale, 🐳 spouting whale: "whale" is 🐋's whole name too
])
def test_a_word_that_names_a_kind_of_thing_names_one_picture_of_it(lexicon, text, lang, kind):
    clear = {emoji for emoji, score in lexicon.match(text, lang).items() if score >= 0.9}
    assert len(clear & kind) == (1 if kind else 0)  # one picture of the kind, not all of them
    assert clear <= kind


def test_a_word_names_no_kind_where_it_also_names_a_sign_or_only_part_of_a_name(lexicon):
    assert all(score < 0.9 for score in lexicon.match("red", "en").values())  # 🍎 lists it, and so does 🔴
    assert all(score < 0.9 for score in lexicon.match("hace calor, estoy caliente", "es").values())  # "perrito caliente"
    assert lexicon.match("fortune cookie", "en").get("🥠", 0.0) >= 0.9  # a whole phrase still names its own
    assert lexicon.match("a cookie", "en")["🍪"] == 1.0  # the kind never lowers a whole name


@pytest.mark.parametrize("text, lang, feelings", [
    ("sono così arrabbiato", "it", {"😠", "😡", "🤬", "😤"}),  # a keyword of 14 emojis, angry faces and devils
    ("jag är så ledsen", "sv", {"😢", "😔", "😭"}),
    ("ik ben ziek", "nl", {"🤒", "🤢", "🤧"}),
])
def test_a_feeling_word_names_its_faces_clearly(lexicon, text, lang, feelings):
    named = lexicon.feelings_named(text, lang)
    assert feelings <= named
    assert named <= lexicon.feeling_emojis()  # faces and hearts only


def test_an_inflected_form_names_a_feeling_as_clearly_as_the_keyword(lexicon):
    assert "😰" in lexicon.feelings_named("endişeliyim", "tr")  # I'm worried; the keyword is "endişeli"
    assert "😫" in lexicon.feelings_named("ben çok yorgunum", "tr")  # I'm so tired; "yorgun"


@pytest.mark.parametrize("text, lang, thing", [
    ("we saw two giraffes", "en", "🦒"),
    ("I love dogs", "en", "🐕"),  # "dog" is too short for the shared-beginning rule
    ("j'adore les croissants", "fr", "🥐"),
    ("мы поедем в Бразилию", "ru", "🇧🇷"),  # a country's name in another case
    ("мы отдыхали в Турции", "ru", "🇹🇷"),
    ("ayer vimos delfines", "es", "🐬"),  # "delfín": the accent goes, the ending grows
    ("kupiłem dwa banany", "pl", "🍌"),
    ("ich habe zwei Katzen", "de", "🐈"),
])
def test_a_dictionary_form_of_a_things_whole_name_names_it(lexicon, text, lang, thing):
    assert lexicon.match(text, lang)[thing] >= 0.9  # clearly enough to be offered


@pytest.mark.parametrize("text, lang, emoji", [
    ("j'en ai marre", "fr", "🤎"),  # fed up, not "marron" (brown)
    ("j'ai chopé un rhume", "fr", "🍺"),  # I caught a cold: "choper", not "chope" (a beer mug)
    ("ya llamé al cerrajero", "es", "🦙"),  # I called: "llamar", not "llama"
    ("в таком случае", "ru", "🌮"),  # "таком" (such) is "такой", not "тако"
])
def test_a_word_that_only_shares_a_things_first_letters_stays_below_an_offer(lexicon, text, lang, emoji):
    assert 0.0 <= lexicon.match(text, lang).get(emoji, 0.0) < 0.9


def test_the_inflections_table_reads_each_languages_forms_and_loses_only_them_without_a_file():
    assert inflections.forms("fr")["croissants"] == "croissant" and "chopé" not in inflections.forms("fr")
    assert inflections.forms("ru")["бразилию"] == "бразилия"
    assert inflections.forms("zz") == {}  # no file: no forms, no error


def test_the_inflections_reader_reads_its_own_format_and_survives_a_damaged_file(tmp_path, monkeypatch):
    folder = tmp_path / "inflections"
    folder.mkdir()
    (folder / "q1.txt.gz").write_bytes(gzip.compress("gato\tgatos gata gatas\nperro\tperros\n".encode("utf-8")))
    (folder / "q2.txt.gz").write_bytes(b"not gzip at all")
    monkeypatch.setattr(inflections, "data_file", lambda *parts: tmp_path.joinpath(*parts))
    assert inflections.forms("q1") == {"gatos": "gato", "gata": "gato", "gatas": "gato", "perros": "perro"}
    assert inflections.forms("q2") == {}  # damaged: only the forms are lost


def test_a_dictionary_form_is_rated_as_its_name_alone(lexicon):
    # "rosas" shares its first letters with "rosa" (🌹) and "rosario" (📿); it is a form of the first only
    scores = lexicon.match("me regaló rosas", "es")
    assert scores["🌹"] >= 0.9 and scores.get("📿", 0.0) < 0.9


def test_an_english_word_elsewhere_or_a_word_of_many_faces_names_no_feeling_clearly(lexicon):
    assert lexicon.match("ich bin so sad", "de") and not lexicon.feelings_named("ich bin so sad", "de")  # English pass
    assert not lexicon.feelings_named("cara", "es")  # "cara", face, is a keyword of a hundred emojis
    assert not lexicon.feelings_named("", "en") and not lexicon.feelings_named(None, "en")


def test_a_kind_of_thing_in_a_name_inside_a_sentence_stays_shared(lexicon):
    assert lexicon.match("Vibes @ Coachella Music and Arts Festival", "en").get("🎭", 0.0) < 0.9
    assert lexicon.match("loved the arts festival", "en")["🎭"] >= 0.9  # the same word as a plain noun


@pytest.mark.parametrize("text, lang, emoji", [
    ("my little girl", "en", "👧"),  # words for people, places and signs are said more than pictured
    ("see you at the hotel", "en", "🏨"),
    ("wanna watch a movie", "en", "⌚"),
    ("du bist mein Herz", "de", "♥️"),  # a card suit, named by everyday words
    ("ho comprato dei fiori", "it", "♣️"),
])
def test_shared_words_for_people_places_signs_and_suits_stay_shared(lexicon, text, lang, emoji):
    assert lexicon.match(text, lang).get(emoji, 0.0) < 0.9


@pytest.mark.parametrize("text, lang, emoji", [
    ("Happy weekend @ Big Bear Lake", "en", "🐻"),
    ("Buenos días desde León, España", "es", "🦁"),
    ("Lunch at Superba Bread today", "en", "🍞"),
])
def test_an_animal_or_food_word_written_as_a_name_inside_a_sentence_names_it_only_as_a_shared_word(
        lexicon, text, lang, emoji):
    assert lexicon.match(text, lang).get(emoji, 0.0) < 0.9
    assert lexicon.match(text.lower(), lang)[emoji] >= 0.9  # the same word as a plain noun names it
    assert lexicon.match("I love Pizza", "en")["🍕"] == 1.0  # a word only one emoji lists is as clear as ever


@pytest.mark.parametrize("text, lang, names", [
    ("Happy weekend @ Big Bear Lake. Dog days", "en", {"big", "bear", "lake"}),  # "Dog" starts a sentence
    ("Mein Hund heißt Bello", "de", set()),  # German capitalises every noun
    ("I LOVE MY DOG", "en", set()),  # capitals throughout are shouting, not a name
    ("Buenos días desde León, España", "es", {"león", "españa"}),
    ("我爱北京", "zh", set()),  # no case
])
def test_names_in_finds_words_written_as_names_inside_a_sentence(text, lang, names):
    assert names_in(text, lang) == names


def test_a_capital_says_nothing_where_every_noun_has_one_or_a_sentence_starts(lexicon):
    assert list(lexicon.match("Mein Hund ist krank", "de"))[0] == "🐕"  # German capitalises nouns
    assert list(lexicon.match("Was für ein Tag. Hund entlaufen", "de"))[0] == "🐕"
    assert "🐕" in lexicon.match("Dog days are here", "en")  # the first word of a sentence
    assert "🇯🇵" in lexicon.match("We fly to Japan tomorrow", "en")  # a country is a name and names its flag


def test_a_common_word_names_no_emoji_by_its_ending(lexicon):
    # German "alles" (everything, Zipf 6) shares a stem with "allein" (alone), a keyword of 💔;
    # "Alles Gute zum Geburtstag" showed 💔 first
    assert "💔" not in lexicon.match("alles", "de")
    assert "💔" in lexicon.match("allein", "de")  # the keyword itself still names it
    wishes = lexicon.match("Alles Gute zum Geburtstag", "de")
    assert "💔" not in wishes and "🎂" in wishes
    assert "🍕" in lexicon.match("Я люблю пиццу", "ru")  # a rarer word still matches by its ending


@pytest.mark.parametrize("text, lang", [
    ("the of and with", "en"),
    ("the", "en"),  # "sign of the horns" must not come from "the"
    ("la de el con para los", "es"),
    ("le la les des avec pour", "fr"),
    ("der die das und mit", "de"),
    ("ok an at", "en"),  # two letters never match
])
def test_stop_words_and_short_words_do_not_match(lexicon, text, lang):
    assert lexicon.match(text, lang) == {}


@pytest.mark.parametrize("text", [
    "", " ", "\x00\x01\x1b[31m", "\ud800 pizza \udfff", "\u202epizza\u202c", "🍕" * 1000,
    "e\u0301" * 500, "a" * 1_000_000, "pizza " * 200_000, "\ufeff\u200b\u200c\u200d", "👨‍👩‍👧‍👦 ❤️ ☕",
])
@pytest.mark.parametrize("lang", ["en", "zh", "ar", "", "??", "x" * 100])
def test_match_never_raises(lexicon, text, lang):
    assert isinstance(lexicon.match(text, lang), dict)


def test_long_input_is_cut_not_scanned(lexicon):
    start = "I love pizza " * 200  # 2,600 characters: only the first MAX_CHARS are read
    assert lexicon.match(start + "and a dog " * 5000, "en") == lexicon.match(start[:MAX_CHARS], "en")


# --- loading errors ---------------------------------------------------------------------------

def test_missing_or_broken_file_says_how_to_fix(tmp_path):
    with pytest.raises(InputError, match="build_lexicon"):
        Lexicon.load(tmp_path / "missing.json.gz")
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(b"not gzip")
    with pytest.raises(InputError, match="not a gzip JSON lexicon"):
        Lexicon.load(broken)
    future = tmp_path / "future.json.gz"
    future.write_bytes(gzip.compress(json.dumps({"format": 99}).encode()))
    with pytest.raises(InputError, match="expected lexicon format 1, found 99"):
        Lexicon.load(future)


# --- the generator, on hand-made CLDR-shaped files --------------------------------------------

def annotations(section, entries):
    return {section: {"identity": {"language": "xx"}, "annotations": entries}}


def test_parse_annotations_keeps_canonical_emojis_only():
    data = annotations("annotations", {
        "{": {"default": ["brace"], "tts": ["left brace"]},  # CLDR annotates symbols too
        "❤": {"default": ["heart", "love", "love"], "tts": ["red heart"]},  # no FE0F in CLDR's key
        "👍🏽": {"default": ["thumbs"], "tts": ["thumbs up: medium skin tone"]},
        "🍕": {"default": ["↑↑↑"], "tts": ["↑↑↑"]},  # inherited: nothing of its own
        "🥘": {"default": ["paella", "↑↑↑"], "tts": ["↑↑↑"]},
    })
    assert build_lexicon.parse_annotations(data) == {
        "❤️": ["red heart", "heart", "love"],
        "🥘": ["", "paella"],
    }


def test_parse_annotations_rejects_other_json():
    with pytest.raises(ValueError, match="expected one of"):
        build_lexicon.parse_annotations({"main": {}})


def fake_npm_tree(root, version="48.2.0"):
    """node_modules/ as npm installs the two CLDR packages, with two tiny locales."""
    modules = root / "node_modules"
    files = {
        ("cldr-annotations-full", "annotations", "en"): {"🍕": {"default": ["pizza"], "tts": ["pizza"]}},
        ("cldr-annotations-full", "annotations", "es"): {"🍕": {"default": ["pizza"], "tts": ["pizza"]}},
        ("cldr-annotations-derived-full", "annotationsDerived", "en"): {
            "🇩🇪": {"default": ["flag"], "tts": ["flag: Germany"]},
            "🍕": {"default": ["ignored"], "tts": ["base annotations win"]}},
        ("cldr-annotations-derived-full", "annotationsDerived", "es"): {},
    }
    for (package, section, locale), entries in files.items():
        path = modules / package / section / locale / "annotations.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(annotations(section, entries)), encoding="utf-8")
        (modules / package / "package.json").write_text(json.dumps({"version": version}))
    groups = modules / build_lexicon.GROUPS_PACKAGE
    groups.mkdir(parents=True)
    (groups / "package.json").write_text(json.dumps({"version": build_lexicon.GROUPS_RELEASE}))
    (groups / "data-by-emoji.json").write_text(json.dumps(
        {"🍕": {"group": "Food & Drink"}, "🇩🇪": {"group": "Flags"}}, ensure_ascii=False), encoding="utf-8")
    return modules


def test_build_writes_a_deterministic_loadable_file(tmp_path):
    modules = fake_npm_tree(tmp_path / "cldr")
    assert build_lexicon.ensure_packages(tmp_path / "cldr") == modules  # present: npm is not run
    data = build_lexicon.build_lexicon(modules, ["en", "es"])
    assert data["cldr_version"] == "48.2.0"
    assert data["entries"]["en"] == {"🍕": ["pizza", "pizza"], "🇩🇪": ["flag: Germany", "flag"]}
    assert data["groups"] == {"🍕": "Food & Drink", "🇩🇪": "Flags"}
    first = build_lexicon.write_lexicon(data, tmp_path / "a.json.gz")
    second = build_lexicon.write_lexicon(build_lexicon.build_lexicon(modules, ["en", "es"]), tmp_path / "b.json.gz")
    assert first == second
    small = Lexicon.load(tmp_path / "a.json.gz")
    assert len(small) == 2 and small.languages == ["en", "es"]
    assert small.name("🇩🇪", "es") == "flag: Germany"  # no Spanish entry: English
    assert list(small.match("pizza!", "es")) == ["🍕"]


def test_build_names_unknown_locales(tmp_path):
    modules = fake_npm_tree(tmp_path / "cldr")
    with pytest.raises(SystemExit, match="no locale 'qq'.*known locales: en es"):
        build_lexicon.read_locale(modules, "qq")


def test_build_config_checks_languages():
    with pytest.raises(ValueError, match="must include 'en'"):
        build_lexicon.BuildConfig(languages=["es"])
    with pytest.raises(ValueError, match="duplicates"):
        build_lexicon.BuildConfig(languages=["en", "en"])
    assert len(build_lexicon.DEFAULT_LANGUAGES) >= 40
    assert set(build_lexicon.STOP_WORDS) <= set(build_lexicon.DEFAULT_LANGUAGES)


# --- the inflected forms' generator (no dictionaries needed) -------------------------------------

def test_inflections_keep_a_names_forms_and_leave_out_derivations_and_verbs():
    nouns = ["cat", "owl", "bee", "ant", "fox", "yak", "emu", "eel", "elk", "cod"]
    names = frozenset(nouns + ["dog", "anggur", "paka"])
    pairs = [("Dogs", "dog"), ("dog", "dog"), ("hot dogs", "dog"),  # the name itself and phrases are no forms
             ("penganggur", "anggur"), ("anggurnya", "anggur")]  # a derivation begins otherwise
    pairs += [(noun + "s", noun) for noun in nouns]
    pairs += [(f"paka{i}", "paka") for i in range(12)]  # a verb's conjugations: far more forms than the nouns'
    table = build_inflections.invert(pairs, names)
    assert table == {"dogs": "dog", "anggurnya": "anggur", **{noun + "s": noun for noun in nouns}}
    assert build_inflections.lines(table)[:2] == ["anggur\tanggurnya", "ant\tants"]


def test_inflections_keep_every_name_where_no_name_stands_out():
    pairs = [(f"{name}{ending}", name) for name in ("rosa", "perro") for ending in ("s", "x", "z")]
    assert len(build_inflections.invert(pairs, frozenset({"rosa", "perro"}))) == 6
